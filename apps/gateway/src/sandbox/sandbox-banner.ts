/** What the sandbox banner says; main.ts fills it at start-up, `npm run sandbox:info` from a running gateway. */
export interface SandboxBannerInfo {
  dataDir: string;
  operatorApiKey: string;
  publicBaseUrl: string;
  simulatorUrl: string;
  messageUrlTemplate: string;
  demo: {
    tenantId: string;
    onboardingUrl: string;
    /** Only on the start that created the demo tenant (keys are shown once). */
    tenantApiKey?: string;
    status: string;
    appId?: string;
    /** A few follower openids of the authorized demo account: these exist, so blacklist calls succeed. */
    followers: string[];
  };
}

/** Merchants' H5 pages: a web-authorization link to the demo page, and a wx.config signature (the account needs set 4). */
function h5Lines(key: string, base: string, tenantId: string): string[] {
  const page = `${base}/sandbox/web-oauth-demo/${tenantId}`;
  return [
    `  H5 web auth:       ${base}/web-oauth/${tenantId}/authorize?scope=snsapi_userinfo&returnUrl=${encodeURIComponent(page)}`,
    '                     (the account must hold set 4, web service; the demo page shows the redeemed openid)',
    `  JS-SDK signature:  curl -X POST -H "Authorization: Bearer ${key}" -H 'Content-Type: application/json' \\`,
    `                       -d '{"url":"${page}"}' ${base}/v1/tenants/${tenantId}/jssdk/signatures`,
  ];
}

/** The block a person reads after `npm start`: printed last, once everything is up. */
export function sandboxBanner(i: SandboxBannerInfo): string {
  const key = i.operatorApiKey;
  const base = i.publicBaseUrl;
  const demo = i.demo;
  const blacklist = `${base}/v1/tenants/${demo.tenantId}/blacklist`;
  const demoLines =
    demo.followers.length > 0
      ? [
          `  Demo account:      ${demo.appId} (tenant ${demo.status}); three of its followers:`,
          `                       ${demo.followers.join(' ')}`,
          `  First blacklist call:`,
          `    curl -X POST -H "Authorization: Bearer ${key}" -H 'Content-Type: application/json' \\`,
          `      -d '{"openids":${JSON.stringify(demo.followers)}}' ${blacklist}/block`,
          `    curl -H "Authorization: Bearer ${key}" ${blacklist}`,
        ]
      : [
          `  Demo tenant:       ${demo.tenantId} (${demo.status}${demo.appId ? `, ${demo.appId}` : ''})`,
          '                     authorize it with the onboarding link above, then run `npm run sandbox:info` for three',
          '                     follower openids and a first blacklist call',
        ];
  return (
    [
      '',
      '  ================================================================================',
      `  SANDBOX MODE: WeChat is simulated; data lives in ${i.dataDir}`,
      '  ================================================================================',
      `  Operator API key:  ${key}`,
      `  Operator console:  ${base}/console   (sign in with the operator key)`,
      `  Try:               curl -H "Authorization: Bearer ${key}" ${base}/v1/component/status`,
      `  Webhooks:          curl -X POST -H "Authorization: Bearer ${key}" -H 'Content-Type: application/json' \\`,
      `                       -d '{"url":"http://127.0.0.1:8080/hooks"}' ${base}/v1/webhook-endpoints`,
      '                     (README, "Webhooks": event types, and a receiver that verifies the signatures)',
      `  Message URL:       ${i.messageUrlTemplate}   (console template; README, "Go-live check")`,
      `  Go-live rehearsal: curl -X POST ${i.simulatorUrl}/__sim/go-live-check`,
      `  API docs:          ${base}/docs`,
      `  Readiness:         ${base}/health/ready`,
      `  WeChat simulator:  ${i.simulatorUrl}`,
      '',
      `  Onboarding link:   ${demo.onboardingUrl}`,
      '                     (open it in a browser, click "在电脑上授权" / "Authorize on a computer", then complete',
      '                     the simulator page: a new account gets 100 followers; tick set 2 for the blacklist)',
      ...(demo.tenantApiKey ? [`  Demo tenant key:   ${demo.tenantApiKey}   (shown once)`] : []),
      ...demoLines,
      ...h5Lines(key, base, demo.tenantId),
      '',
      '  Print this again at any time: npm run sandbox:info',
      '',
    ].join('\n') + '\n'
  );
}
