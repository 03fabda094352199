import type { ValidatorJson } from '../../src/api/json.js'
import { Card, Field } from './card.js'
import { validatorRows } from './finality.js'
import { shortHash } from './format.js'

/** Where this node's validator stands in the BFT rounds (shown only when the node runs one). */
export function ValidatorCard({ validator, error }: { validator: ValidatorJson; error?: string }) {
  return (
    <Card title="Validator" testid="validator-card" error={error}>
      <dl>
        <Field label="address">
          <code title={validator.address}>{shortHash(validator.address, 12, 6)}</code>
        </Field>
        {validatorRows(validator).map((row) => (
          <Field key={row.testid} label={row.label} testid={row.testid}>
            {row.value}
          </Field>
        ))}
      </dl>
    </Card>
  )
}
