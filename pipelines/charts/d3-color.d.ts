// The one function of d3-color (a dependency of Vega, pinned in package.json) the PDF chart renderer uses.
declare module 'd3-color' {
  interface RGBColor {
    r: number;
    g: number;
    b: number;
    opacity: number;
  }
  interface Color {
    rgb(): RGBColor;
  }
  export function color(specifier: string): Color | null;
}
