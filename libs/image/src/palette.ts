/** Box colours by class index (matplotlib's tab10, as the plots use), repeating after ten classes. */
export const BOX_COLORS: readonly string[] = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** The colour of class index `colorIndex` (any integer; wraps around the palette). */
export const boxColor = (colorIndex: number): string => BOX_COLORS[((colorIndex % BOX_COLORS.length) + BOX_COLORS.length) % BOX_COLORS.length];
