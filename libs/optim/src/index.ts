/**
 * @retina/optim: what turns gradients into weight updates, on any tfjs engine and in browsers (no
 * Node built-in) —
 * - optimizers behind one `Optimizer` interface: `SgdMomentum` (PyTorch SGD with momentum and L2
 *   weight decay) and `AdamW` (torch.optim.AdamW), both with global gradient-norm clipping and a
 *   `state()`/`restore()` pair for checkpoints; `createOptimizer(kind, options)` picks one;
 * - learning-rate schedules: `learningRateAt` (warmup, then step decay or cosine, by iteration) and
 *   `learningRateAtProgress` (the same over a fraction of a time budget);
 * - `ModelEma`: an exponential moving average of the weights (ultralytics' ModelEMA), with
 *   `splitEmaState` to keep its state in the same checkpoint as the optimizer's.
 * `@tensorflow/tfjs-core` is a peer dependency: yours is the one used.
 */
export {
  AdamW,
  createOptimizer,
  OptimizerStateError,
  SgdMomentum,
  type AdamWOptions,
  type Optimizer,
  type OptimizerKind,
  type SgdOptions,
  type StepResult,
} from './optimizer';
export {
  learningRateAt,
  learningRateAtProgress,
  type ProgressScheduleOptions,
  type ScheduleKind,
  type ScheduleOptions,
} from './schedule';
export { EMA_STATE_PREFIX, EmaError, ModelEma, splitEmaState, type EmaOptions } from './ema';
