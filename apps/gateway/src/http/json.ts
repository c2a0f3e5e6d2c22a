/** Dates leave the API as ISO 8601 strings; absent ones as null. */
export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null)
