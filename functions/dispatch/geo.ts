/**
 * Postal-code centroids (approximate lat/lon of the ZCTA centres) for the Austin codes the demo
 * company serves, and travel minutes between them: haversine distance times a road factor at an
 * average urban speed. Pure; an unknown code travels as from the city centre.
 */
import { ownValue } from '../shared/own';

export const AUSTIN_CENTROIDS: Record<string, [number, number]> = {
  '78701': [30.2711, -97.7437],
  '78702': [30.2636, -97.7166],
  '78703': [30.2936, -97.7653],
  '78704': [30.243, -97.765],
  '78705': [30.294, -97.739],
  '78721': [30.272, -97.684],
  '78722': [30.289, -97.715],
  '78723': [30.305, -97.687],
  '78724': [30.296, -97.616],
  '78727': [30.425, -97.719],
  '78728': [30.45, -97.688],
  '78729': [30.453, -97.768],
  '78741': [30.231, -97.722],
  '78744': [30.178, -97.739],
  '78745': [30.207, -97.796],
  '78747': [30.133, -97.758],
  '78748': [30.162, -97.822],
  '78749': [30.216, -97.853],
  '78750': [30.447, -97.799],
  '78751': [30.31, -97.723],
  '78758': [30.388, -97.706],
  '78759': [30.403, -97.753],
};

const CITY_CENTRE: [number, number] = AUSTIN_CENTROIDS['78701']!;
/** Average door-to-door speed in town, km/h. */
export const AVERAGE_SPEED_KMH = 40;
/** Roads are longer than the straight line. */
export const ROAD_FACTOR = 1.3;

export function centroid(postalCode: string): [number, number] {
  return ownValue(AUSTIN_CENTROIDS, postalCode.trim()) ?? CITY_CENTRE;
}

export function haversineKm(a: [number, number], b: [number, number]): number {
  const rad = Math.PI / 180;
  const dLat = (b[0] - a[0]) * rad;
  const dLon = (b[1] - a[1]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Whole minutes of driving between two postal codes (0 within one code). */
export function travelMinutes(fromPostalCode: string, toPostalCode: string): number {
  if (fromPostalCode.trim() === toPostalCode.trim()) return 0;
  const km = haversineKm(centroid(fromPostalCode), centroid(toPostalCode)) * ROAD_FACTOR;
  return Math.round((km / AVERAGE_SPEED_KMH) * 60);
}

/** A technician's base: the centroid-nearest-to-mean of their territory's codes (a real code). */
export function basePostalCode(postalCodes: string[]): string {
  if (!postalCodes.length) return '78701';
  const points = postalCodes.map(centroid);
  const mean: [number, number] = [points.reduce((s, p) => s + p[0], 0) / points.length, points.reduce((s, p) => s + p[1], 0) / points.length];
  let best = postalCodes[0]!;
  let bestKm = Infinity;
  for (const code of postalCodes) {
    const km = haversineKm(centroid(code), mean);
    if (km < bestKm) [best, bestKm] = [code, km];
  }
  return best;
}
