import { runUpgradeStep } from '../../../packages/core/src/test/upgradeLab.js'

declare global {
  interface Window {
    runUpgradeStep: typeof runUpgradeStep
  }
}

window.runUpgradeStep = runUpgradeStep
