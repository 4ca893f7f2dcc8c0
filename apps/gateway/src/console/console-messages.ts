// Over 300 lines on purpose: every word of the console in both languages, side by side, so a
// missing translation is a type error in one file.
import type { Locale } from '../platform/html';

/** Every word the console shows, in both languages (Chinese first: operators in China open it every morning). */
export interface ConsoleMessages {
  consoleName: string;
  nav: { overview: string; tenants: string; signOut: string; language: string };
  login: {
    title: string;
    keyLabel: string;
    submit: string;
    hint: string;
    wrongKey: string;
    crossSite: string;
  };
  overview: {
    title: string;
    component: string;
    mode: string;
    ticket: string;
    noTicket: string;
    stale: string;
    tokenExpires: string;
    budget: string;
    budgetUsed: (used: number, limit: number) => string;
    tenantsByStatus: string;
    reauthorization: string;
    quotaBlocks: string;
    deliveries: string;
    deliveriesPending: string;
    deliveriesFailed: string;
    jobsInFlight: string;
    calls: string;
    callsColumns: [string, string, string];
    outcomes: Record<string, string>;
    noCalls: string;
  };
  status: Record<string, string>;
  tenants: {
    title: string;
    search: string;
    searchPlaceholder: string;
    anyStatus: string;
    columns: [string, string, string, string, string];
    none: string;
    previous: string;
    next: string;
    page: (n: number) => string;
  };
  tenant: {
    status: string;
    account: string;
    permissionSets: string;
    tokenExpires: string;
    externalId: string;
    webOAuthOrigins: string;
    noWebOAuthOrigins: string;
    newLink: string;
    linkMade: string;
    jobs: string;
    jobColumns: [string, string, string, string, string, string];
    noJobs: string;
    of: (total: number) => string;
    cancel: string;
    confirmCancel: string;
    audit: string;
    auditColumns: [string, string, string, string, string];
    auditOutcome: (a: { succeeded: number; total: number; invalid: number; failed: number }) => string;
    noAudit: string;
    deliveries: string;
    deliveryColumns: [string, string, string, string, string];
    operatorEndpoint: string;
    noDeliveries: string;
    redeliver: string;
    upload: string;
    uploadHint: string;
    uploadSubmit: string;
    uploadStarted: string;
    uploadFailed: string;
    sessions: string;
    sessionColumns: [string, string, string, string, string];
    noSessions: string;
    closeSession: string;
    confirmClose: string;
    /** Shown above the page when "New onboarding link" meets the per-tenant cap. */
    atCap: (limit: number) => string;
    atCapLink: string;
  };
  errors: {
    title: (status: number) => string;
    byCode: Partial<Record<string, string>>;
  };
}

const ZH_CN: ConsoleMessages = {
  consoleName: '网关控制台',
  nav: { overview: '概览', tenants: '租户', signOut: '退出登录', language: 'English' },
  login: {
    title: '登录',
    keyLabel: '运营 API 密钥',
    submit: '登录',
    hint: '密钥只校验一次；之后浏览器保存 8 小时的会话 Cookie，而不是密钥。',
    wrongKey: '这不是本网关的运营密钥。',
    crossSite: '已拒绝来自其他站点的登录。',
  },
  overview: {
    title: '概览',
    component: '第三方平台',
    mode: '运行模式',
    ticket: 'component_verify_ticket',
    noTicket: '尚未收到',
    stale: '已过期',
    tokenExpires: '平台令牌到期',
    budget: '今日调用额度',
    budgetUsed: (used, limit) => `已用 ${used} / ${limit}`,
    tenantsByStatus: '租户状态',
    reauthorization: '需要重新授权的公众号',
    quotaBlocks: '生效中的配额限制',
    deliveries: 'Webhook 投递',
    deliveriesPending: '待投递',
    deliveriesFailed: '失败',
    jobsInFlight: '进行中的任务',
    calls: '最近 24 小时的微信接口调用',
    callsColumns: ['接口', '结果', '次数'],
    outcomes: { ok: '成功', 'api-error': '接口错误', 'transport-error': '网络错误' },
    noCalls: '最近 24 小时没有调用。',
  },
  status: {
    pending: '待授权',
    active: '已授权',
    revoked: '已取消授权',
    reauthorization_required: '需重新授权',
    queued: '排队中',
    running: '进行中',
    paused: '已暂停',
    succeeded: '已完成',
    failed: '失败',
    cancelled: '已取消',
    delivered: '已送达',
    block: '拉黑',
    unblock: '取消拉黑',
  },
  tenants: {
    title: '租户',
    search: '搜索',
    searchPlaceholder: '名称、外部 ID、AppID 或租户 ID',
    anyStatus: '全部状态',
    columns: ['租户', '状态', '公众号', '权限集', '令牌到期'],
    none: '没有匹配的租户。',
    previous: '← 上一页',
    next: '下一页 →',
    page: (n) => `第 ${n} 页`,
  },
  tenant: {
    status: '状态',
    account: '公众号',
    permissionSets: '权限集',
    tokenExpires: '授权方令牌到期',
    externalId: '外部 ID',
    webOAuthOrigins: 'H5 页面来源',
    noWebOAuthOrigins: '—（拒绝网页授权）',
    newLink: '新建授权链接',
    linkMade: '新的授权链接（发给商户）：',
    jobs: '黑名单任务',
    jobColumns: ['任务', '操作', '状态', '进度', '创建时间', ''],
    noJobs: '暂无任务。',
    of: (total) => `共 ${total}`,
    cancel: '取消',
    confirmCancel: '确定取消这个任务吗？已处理的部分不会撤回。',
    audit: '审计记录',
    auditColumns: ['时间', '操作者', '操作', '结果', '任务'],
    auditOutcome: (a) => `${a.succeeded}/${a.total} 成功，${a.invalid} 无效，${a.failed} 失败`,
    noAudit: '暂无审计记录。',
    deliveries: 'Webhook 投递',
    deliveryColumns: ['更新时间', '事件', '状态', '尝试次数', '端点'],
    operatorEndpoint: '运营端点',
    noDeliveries: '暂无与该租户相关的投递。',
    redeliver: '重新投递',
    upload: '上传文件开始任务',
    uploadHint: 'CSV 或文本文件，每行一个 openid（可有一行表头 "openid"）。',
    uploadSubmit: '开始',
    uploadStarted: '任务已开始：',
    uploadFailed: '未能开始任务：',
    sessions: '未完成的授权链接',
    sessionColumns: ['会话', '创建时间', '到期时间', '完成后返回', ''],
    noSessions: '没有未完成的授权链接。',
    closeSession: '关闭',
    confirmClose: '确定关闭这个授权链接吗？商户打开它时将看到链接已失效。',
    atCap: (limit) =>
      `该租户未完成的授权链接已达上限（${limit} 个）。请在下方「未完成的授权链接」中关闭不再需要的链接后再新建，或把已有的链接发给商户。`,
    atCapLink: '查看未完成的授权链接',
  },
  errors: {
    title: (status) => `出错了（${status}）`,
    byCode: {
      TENANT_NOT_FOUND: '没有这个租户（可能已删除）。',
      VALIDATION_FAILED: '输入有误（例如搜索中含有控制字符）。',
      JOB_NOT_FOUND: '没有这个任务，或它已经结束。',
      FORBIDDEN: '表单已过期或来自其他站点，请刷新页面后重试。',
      TOO_MANY_SESSIONS:
        '该租户未完成的授权链接已达上限。请在租户页面的「未完成的授权链接」中关闭不再需要的链接后再新建，或把已有的链接发给商户。',
      AUTHORIZATION_SESSION_NOT_FOUND: '该租户没有这个授权链接。',
      RATE_LIMITED: '请求过于频繁，请稍后再试。',
      INTERNAL: '发生了意外错误，请稍后再试。',
    },
  },
};

const EN: ConsoleMessages = {
  consoleName: 'gateway console',
  nav: { overview: 'Overview', tenants: 'Tenants', signOut: 'Sign out', language: '中文' },
  login: {
    title: 'Sign in',
    keyLabel: 'Operator API key',
    submit: 'Sign in',
    hint: 'The key is checked once; the browser then keeps an 8-hour session cookie, not the key.',
    wrongKey: 'That is not an operator key of this gateway.',
    crossSite: 'Cross-site sign-in refused.',
  },
  overview: {
    title: 'Overview',
    component: 'Component',
    mode: 'Mode',
    ticket: 'Verify ticket',
    noTicket: 'none received yet',
    stale: 'stale',
    tokenExpires: 'Component token expires',
    budget: 'Daily call budget',
    budgetUsed: (used, limit) => `${used} of ${limit} used`,
    tenantsByStatus: 'Tenants by status',
    reauthorization: 'Accounts needing re-authorization',
    quotaBlocks: 'Quota blocks in force',
    deliveries: 'Webhook deliveries',
    deliveriesPending: 'pending',
    deliveriesFailed: 'failed',
    jobsInFlight: 'Jobs in flight',
    calls: 'WeChat calls, last 24 hours',
    callsColumns: ['API', 'Outcome', 'Calls'],
    outcomes: { ok: 'ok', 'api-error': 'API error', 'transport-error': 'transport error' },
    noCalls: 'No calls in the last 24 hours.',
  },
  status: {
    pending: 'pending',
    active: 'active',
    revoked: 'revoked',
    reauthorization_required: 're-authorization required',
    queued: 'queued',
    running: 'running',
    paused: 'paused',
    succeeded: 'succeeded',
    failed: 'failed',
    cancelled: 'cancelled',
    delivered: 'delivered',
    block: 'block',
    unblock: 'unblock',
  },
  tenants: {
    title: 'Tenants',
    search: 'Search',
    searchPlaceholder: 'name, external id, appid, tenant id',
    anyStatus: 'any status',
    columns: ['Tenant', 'Status', 'Account', 'Permission sets', 'Token expires'],
    none: 'No tenants match.',
    previous: '← previous',
    next: 'next →',
    page: (n) => `page ${n}`,
  },
  tenant: {
    status: 'Status',
    account: 'Account',
    permissionSets: 'Permission sets',
    tokenExpires: 'Authorizer token expires',
    externalId: 'External id',
    webOAuthOrigins: 'H5 page origins',
    noWebOAuthOrigins: '— (web authorization refused)',
    newLink: 'New onboarding link',
    linkMade: 'New onboarding link (send it to the merchant):',
    jobs: 'Blacklist jobs',
    jobColumns: ['Job', 'Action', 'Status', 'Progress', 'Created', ''],
    noJobs: 'No jobs yet.',
    of: (total) => `of ${total}`,
    cancel: 'Cancel',
    confirmCancel: 'Cancel this job? What it already did stays done.',
    audit: 'Audit events',
    auditColumns: ['At', 'Actor', 'Action', 'Outcome', 'Job'],
    auditOutcome: (a) => `${a.succeeded}/${a.total} succeeded, ${a.invalid} invalid, ${a.failed} failed`,
    noAudit: 'No audit events yet.',
    deliveries: 'Webhook deliveries',
    deliveryColumns: ['Updated', 'Event', 'Status', 'Attempts', 'Endpoint'],
    operatorEndpoint: 'operator endpoint',
    noDeliveries: 'No deliveries about this tenant.',
    redeliver: 'Redeliver',
    upload: 'Start a job from a file',
    uploadHint: 'A CSV or text file, one openid a line (an "openid" header line is allowed).',
    uploadSubmit: 'Start',
    uploadStarted: 'Job started:',
    uploadFailed: 'The job did not start:',
    sessions: 'Open onboarding links',
    sessionColumns: ['Session', 'Created', 'Expires', 'Returns to', ''],
    noSessions: 'No open onboarding links.',
    closeSession: 'Close',
    confirmClose: 'Close this onboarding link? A merchant who opens it will be told it is no longer valid.',
    atCap: (limit) =>
      `This tenant has the most open onboarding links it may have (${limit}). Close one it no longer needs under “Open onboarding links” below, then make a new one; or send the merchant a link you made before.`,
    atCapLink: 'See the open onboarding links',
  },
  errors: {
    title: (status) => `Error ${status}`,
    byCode: {
      TENANT_NOT_FOUND: 'No such tenant (it may have been deleted).',
      JOB_NOT_FOUND: 'No such job, or it has already finished.',
      FORBIDDEN: 'This form is stale or came from another site; reload the page.',
      TOO_MANY_SESSIONS:
        'This tenant has the most open onboarding links it may have. Close one it no longer needs under “Open onboarding links” on the tenant page, then make a new one; or send the merchant a link you made before.',
      AUTHORIZATION_SESSION_NOT_FOUND: 'This tenant has no such onboarding link.',
      RATE_LIMITED: 'Too many requests; try again in a minute.',
      INTERNAL: 'Something unexpected went wrong; try again later.',
    },
  },
};

export const CONSOLE_MESSAGES: Readonly<Record<Locale, ConsoleMessages>> = { 'zh-CN': ZH_CN, en: EN };
