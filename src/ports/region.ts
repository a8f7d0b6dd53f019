/** The two sides of a pair: the one region-side type, shared by health, machine, runtime and drills. */
export type RegionRole = "primary" | "standby";
