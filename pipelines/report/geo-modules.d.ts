// The parts of topojson-client and d3-delaunay (both pinned in package.json) this project uses; neither ships types.
declare module 'topojson-client' {
  export function feature(topology: unknown, object: unknown): { type: 'FeatureCollection'; features: { type: 'Feature'; properties: Record<string, unknown> | null; geometry: { type: string; coordinates: unknown } | null }[] };
}

declare module 'd3-delaunay' {
  export class Delaunay {
    static from(points: ArrayLike<readonly [number, number]>): Delaunay;
    voronoi(bounds?: [number, number, number, number]): Voronoi;
  }
  export class Voronoi {
    cellPolygon(i: number): [number, number][] | null;
  }
}
