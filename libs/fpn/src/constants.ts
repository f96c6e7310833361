/** Smallest variance added before the square root (torchvision's BatchNorm2d eps). */
export const BN_EPS = 1e-5;
/** Weight of the new batch statistics in the running averages (PyTorch's momentum). */
export const BN_MOMENTUM = 0.1;
