// Lifecycle-typed domain models, derived from the product declarations: one type per block and lifecycle,
// in which the fields the lifecycle requires are required and the rest optional. Nothing is written twice.
import type { BlockDeclaration, FieldDeclaration, ProductDeclaration, RequiredFrom } from './declaration.js'
import { assertDomainModel } from './validation.js'

export type TypedLifecycle = RequiredFrom

type RequiredAt<F extends FieldDeclaration, L extends TypedLifecycle> = L extends 'active'
  ? true
  : L extends 'provisioning'
    ? F['required_from'] extends 'initial' | 'provisioning'
      ? true
      : false
    : F['required_from'] extends 'initial'
      ? true
      : false

export type FieldValue<F extends FieldDeclaration> = F['type'] extends 'integer'
  ? number
  : F['type'] extends 'boolean'
    ? boolean
    : F['type'] extends 'enum'
      ? F['values'] extends readonly (infer V)[]
        ? V
        : string
      : F['type'] extends 'block_ref'
        ? string | Record<string, unknown>
        : string

type Fields<B extends BlockDeclaration> = B['fields']

/** A block's values as saved in lifecycle L. */
export type BlockModel<B extends BlockDeclaration, L extends TypedLifecycle> = {
  -readonly [K in keyof Fields<B> as RequiredAt<Fields<B>[K], L> extends true ? K : never]: FieldValue<Fields<B>[K]>
} & {
  -readonly [K in keyof Fields<B> as RequiredAt<Fields<B>[K], L> extends true ? never : K]?: FieldValue<Fields<B>[K]> | null
}

/**
 * Checks `model` against the lifecycle and hands it back with the lifecycle's type, or throws a DomainError
 * naming every missing or wrong field. Pure: usable in workflow code.
 */
export function asLifecycle<T>(product: ProductDeclaration, lifecycle: TypedLifecycle, model: Record<string, unknown>): T {
  assertDomainModel(product, lifecycle, model)
  return model as T
}
