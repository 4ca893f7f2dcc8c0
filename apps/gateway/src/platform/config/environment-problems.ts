import { getMetadataStorage } from 'class-validator';

/** Variables whose values never appear in an error (keys, secrets, a URL that may hold a password). */
const SECRET_VARIABLES = new Set([
  'OPERATOR_API_KEYS',
  'SECRETS_ENCRYPTION_KEY',
  'SECRETS_PREVIOUS_ENCRYPTION_KEY',
  'WECHAT_COMPONENT_APPSECRET',
  'WECHAT_COMPONENT_TOKEN',
  'WECHAT_COMPONENT_ENCODING_AES_KEY',
  'WECHAT_COMPONENT_PREVIOUS_ENCODING_AES_KEY',
  'METRICS_TOKEN',
  'DATABASE_URL',
]);

/** The decorators' bounds and allowed values of a variable, to state the expected form. */
function rulesOf(target: new () => object, variable: string): { min?: number; max?: number; isInt: boolean; allowed?: string[] } {
  const rules: { min?: number; max?: number; isInt: boolean; allowed?: string[] } = { isInt: false };
  for (const m of getMetadataStorage().getTargetValidationMetadatas(target, '', true, false)) {
    if (m.propertyName !== variable) continue;
    if (m.name === 'min') rules.min = m.constraints[0] as number;
    if (m.name === 'max') rules.max = m.constraints[0] as number;
    if (m.name === 'isInt') rules.isInt = true;
    if (m.name === 'isIn') rules.allowed = m.constraints[0] as string[];
  }
  return rules;
}

/**
 * `PORT: "abc" is not a number; expected a whole number from 0 to 65535`: the variable, what is
 * wrong with its value, and the form it should take (a secret's value is never repeated).
 */
export function describeProblem(
  target: new () => object,
  variable: string,
  raw: string | undefined,
  constraints: Record<string, string>,
): string {
  // The decorators' own messages say the expected form ("X must be ..."), read as "expected ...".
  const expectedForm = () =>
    (Object.values(constraints)[0] ?? 'invalid').replace(new RegExp(`^${variable} `), '').replace(/^must be /, 'expected ');
  if (raw === undefined || raw.trim() === '') return `${variable}: missing; ${expectedForm()}`;
  const value = SECRET_VARIABLES.has(variable)
    ? 'the value (not shown)'
    : JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw);
  const r = rulesOf(target, variable);
  if (r.isInt) {
    const n = Number(raw);
    const problem = !Number.isFinite(n)
      ? 'is not a number'
      : !Number.isInteger(n)
        ? 'is not a whole number'
        : r.max !== undefined && n > r.max
          ? `is greater than ${r.max}`
          : `is less than ${r.min}`;
    const range =
      r.min !== undefined && r.max !== undefined
        ? ` from ${r.min} to ${r.max}`
        : r.min !== undefined
          ? ` of at least ${r.min}`
          : r.max !== undefined
            ? ` of at most ${r.max}`
            : '';
    return `${variable}: ${value} ${problem}; expected a whole number${range}`;
  }
  if (r.allowed && constraints.isIn)
    return `${variable}: ${value} is not an allowed value; expected one of ${r.allowed.join(', ')}`;
  return `${variable}: ${value} is not valid; ${expectedForm()}`;
}
