/** The demo tenant sandbox mode creates on first start (and `npm run sandbox:info` looks up). */
export const SANDBOX_DEMO_EXTERNAL_ID = 'sandbox-demo';
