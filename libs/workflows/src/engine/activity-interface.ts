/**
 * The public methods of an activity class, as workflow code sees them. Intersecting the classes
 * themselves gives `never` when two of them have a private member of the same name.
 */
export type ActivityInterface<T> = { [K in keyof T as T[K] extends (...args: never[]) => Promise<unknown> ? K : never]: T[K] }
