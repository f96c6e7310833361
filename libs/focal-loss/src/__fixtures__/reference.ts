/**
 * torchvision's sigmoid_focal_loss of one element in float64, straight from the definition (p_t, pow,
 * BCE-with-logits in its log1p form): the independent reference the loss specs compare against.
 * `alpha < 0` turns the α weighting off, as in torchvision.
 */
export function focalReference(x: number, t: number, alpha: number, gamma: number): number {
  const p = 1 / (1 + Math.exp(-x));
  const bce = Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
  const pt = p * t + (1 - p) * (1 - t);
  const a = alpha < 0 ? 1 : alpha * t + (1 - alpha) * (1 - t);
  return a * Math.pow(1 - pt, gamma) * bce;
}
