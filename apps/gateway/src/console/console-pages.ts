// Over 300 lines: the console's five pages and the one client script that keeps the tenant page
// live; split, each piece would need the layout, the messages and the time helpers passed around.
import { PERMISSION_SET_NAMES } from '@app/wechat';
import { escapeHtml as e, htmlDocument, type Locale } from '../platform/html';
import type { OpenAuthorizationSessionView } from '../onboarding/dto/create-authorization-session.dto';
import { CONSOLE_MESSAGES, type ConsoleMessages } from './console-messages';
import { relativeTime, zonedTime } from './console-time';
import type { ConsoleDeliveryRow, ConsoleJobRow, ConsoleOverviewCounts, ConsoleTenantRow } from './console.repository';

/** What every page is rendered with: the per-response CSP nonce, the form token, language, zone and clock. */
export interface PageContext {
  nonce: string;
  csrfToken?: string;
  locale: Locale;
  timeZone: string;
  now: Date;
  /** This page's path and query without `lang`, for the language switch. */
  path: string;
}

const CONSOLE_CSS = `
  body { max-width: 68rem; }
  nav { margin-bottom: 1rem; display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: center; }
  form.inline { display: inline; }
  .table { overflow-x: auto; margin: .5rem 0 1.5rem; }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid #d0d7de; font-size: .9rem; }
  td, td code, td a, .wrap { overflow-wrap: anywhere; word-break: break-word; }
  progress { width: 10rem; max-width: 100%; }
  input, select, button { font-size: 1rem; padding: .35rem .6rem; max-width: 100%; }
  .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: .75rem; margin: .5rem 0 1.5rem; }
  .card { border: 1px solid #d0d7de; border-radius: 6px; padding: .6rem .8rem; }
  .chart { position: relative; height: 18rem; margin: .5rem 0; width: 100%; overflow: hidden; } .chart canvas { max-width: 100%; }
  .card h2 { font-size: 1rem; margin: 0 0 .4rem; } .card .big { font-size: 1.6rem; font-weight: 600; }
  @media (max-width: 40rem) {
    body { margin: .75rem auto; }
    table.rows tr:first-child { display: none; }
    table.rows, table.rows tbody, table.rows tr, table.rows td { display: block; width: 100%; box-sizing: border-box; }
    table.rows tr { border: 1px solid #d0d7de; border-radius: 6px; margin-bottom: .5rem; padding: .25rem 0; }
    table.rows td { border: 0; padding: .15rem .6rem; }
    table.rows td::before { color: #59636e; }
  }`;

const m = (c: PageContext): ConsoleMessages => CONSOLE_MESSAGES[c.locale];

/** A moment as "2026-12-07 17:41 · 3 分钟前" in the operator's zone; the ISO instant stays in `datetime`. */
export function when(c: PageContext, d: Date | string | null | undefined): string {
  if (!d) return '—';
  const at = new Date(d);
  return `<time datetime="${e(at.toISOString())}">${e(zonedTime(at, c.timeZone))} · ${e(relativeTime(at, c.now, c.locale))}</time>`;
}

const word = (c: PageContext, key: string) => m(c).status[key] ?? key;

const csrf = (c: PageContext) => (c.csrfToken ? `<input type="hidden" name="csrf" value="${e(c.csrfToken)}">` : '');

function languageSwitch(c: PageContext): string {
  const target = c.locale === 'zh-CN' ? 'en' : 'zh-CN';
  const [path, query = ''] = c.path.split('?');
  const params = new URLSearchParams(query);
  params.set('lang', target);
  return `<a id="language-switch" lang="${e(target)}" href="${e(`${path}?${params.toString()}`)}">${e(m(c).nav.language)}</a>`;
}

function layout(c: PageContext, title: string, body: string, opts: { signedIn: boolean; script?: string }): string {
  const t = m(c).nav;
  const nav = opts.signedIn
    ? `<nav><a href="/console">${e(t.overview)}</a><a href="/console/tenants">${e(t.tenants)}</a>${languageSwitch(c)}
<form method="post" action="/console/logout" class="inline">${csrf(c)}<button id="sign-out" type="submit">${e(t.signOut)}</button></form></nav>`
    : `<nav>${languageSwitch(c)}</nav>`;
  return htmlDocument({
    locale: c.locale,
    title: `${title} · ${m(c).consoleName}`,
    nonce: c.nonce,
    css: CONSOLE_CSS,
    body: `${nav}\n${body}`,
    script: opts.script,
  });
}

/** A table that scrolls inside itself, or (class rows) becomes one card per row on a phone. */
function table(c: PageContext, id: string, headers: string[], rows: string, empty: string, attrs = ''): string {
  const head = `<tr>${headers.map((h) => `<th>${e(h)}</th>`).join('')}</tr>`;
  const body = rows || `<tr><td colspan="${headers.length}" class="muted">${e(empty)}</td></tr>`;
  // On a phone each cell is labelled with its column's header (CSS, so the cells stay bare <td>s).
  const labels = headers
    .map((h, i) => (h ? `#${id} td:nth-child(${i + 1}):not([colspan])::before { content: ${JSON.stringify(`${h}：`)}; }` : ''))
    .join(' ');
  return `<style nonce="${e(c.nonce)}">@media (max-width: 40rem) { ${labels} }</style>
<div class="table"><table id="${e(id)}" class="rows"${attrs}>${head}\n${body}\n</table></div>`;
}

const cell = (html: string, cls = '') => `<td${cls ? ` class="${e(cls)}"` : ''}>${html}</td>`;

export function loginPage(c: PageContext, error?: string): string {
  const t = m(c).login;
  return layout(
    c,
    t.title,
    `<h1>${e(m(c).consoleName)}</h1>
${error ? `<p id="login-error" class="err">${e(error)}</p>` : ''}
<form method="post" action="/console/login">
<label>${e(t.keyLabel)} <input id="operator-key" name="key" type="password" autocomplete="off" required></label>
<button id="sign-in" type="submit">${e(t.submit)}</button>
</form>
<p class="muted">${e(t.hint)}</p>`,
    { signedIn: false },
  );
}

/** Draws the 24-hour WeChat call chart with Chart.js (served from node_modules at /console/assets). */
const CHART_SCRIPT = `(function () {
  var data = JSON.parse(document.getElementById('calls-data').textContent);
  var canvas = document.getElementById('calls-chart');
  if (!window.Chart || !canvas) return;
  var colours = { ok: ['#1a7f37', '#2da44e', '#4ac26b', '#6fdd8b'], 'api-error': ['#cf222e', '#fa4549', '#ff8182'], 'transport-error': ['#9a6700', '#d4a72c', '#eac54f'] };
  var used = {};
  new window.Chart(canvas, {
    type: 'bar',
    data: {
      labels: data.labels,
      datasets: data.series.map(function (s) {
        var list = colours[s.outcome] || ['#59636e'];
        var i = used[s.outcome] = (used[s.outcome] || 0) + 1;
        return { label: s.label, data: s.calls, stack: s.outcome, backgroundColor: list[(i - 1) % list.length] };
      })
    },
    options: { animation: false, maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } }, plugins: { legend: { position: 'bottom' } } }
  });
})();`;

export interface CallsChart {
  /** Hour labels in the operator's zone, oldest first (24). */
  labels: string[];
  series: { api: string; outcome: string; label: string; calls: number[] }[];
}

function callsSection(c: PageContext, chart: CallsChart): string {
  const t = m(c).overview;
  const totals = chart.series
    .map((s) => ({ ...s, total: s.calls.reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.total - a.total)
    .map(
      (s) =>
        `<tr data-api="${e(s.api)}" data-outcome="${e(s.outcome)}">${cell(`<code>${e(s.api)}</code>`)}${cell(
          e(t.outcomes[s.outcome] ?? s.outcome),
        )}${cell(`<span class="calls">${e(s.total)}</span>`)}</tr>`,
    )
    .join('\n');
  // JSON in a data block: "<" escaped so no value can close the element.
  const json = JSON.stringify(chart).replace(/</g, '\\u003c');
  return `<section id="wechat-calls"><h2>${e(t.calls)}</h2>
<div class="chart"><canvas id="calls-chart" aria-label="${e(t.calls)}" role="img"></canvas></div>
<script type="application/json" id="calls-data">${json}</script>
${table(c, 'calls', [...t.callsColumns], totals, t.noCalls)}</section>`;
}

export interface OverviewModel {
  componentAppId: string;
  mode: string;
  ticketReceivedAt: Date | null;
  ticketStale: boolean;
  tokenExpiresAt: Date | null;
  budget: { api: string; used: number; limit: number }[];
  counts: ConsoleOverviewCounts;
  statuses: readonly string[];
  calls: CallsChart;
}

export function overviewPage(c: PageContext, s: OverviewModel): string {
  const t = m(c).overview;
  const n = s.counts;
  const byStatus = s.statuses
    .map((st) => `<li data-status="${e(st)}">${e(word(c, st))}: <strong>${e(n.tenantsByStatus[st] ?? 0)}</strong></li>`)
    .join('');
  const budget = s.budget
    .map((b) => `<li data-api="${e(b.api)}"><code>${e(b.api)}</code> ${e(t.budgetUsed(b.used, b.limit))}</li>`)
    .join('');
  const card = (id: string, title: string, inner: string) =>
    `<section class="card" id="${e(id)}"><h2>${e(title)}</h2>${inner}</section>`;
  return layout(
    c,
    t.title,
    `<h1>${e(t.title)}</h1>
<div class="cards">
${card(
  'component-status',
  t.component,
  `<p class="wrap"><code>${e(s.componentAppId)}</code> · ${e(t.mode)} <span id="mode">${e(s.mode)}</span></p>
<p>${e(t.ticket)}: <span id="ticket" class="${s.ticketStale ? 'err' : 'ok'}">${
    s.ticketReceivedAt ? when(c, s.ticketReceivedAt) : e(t.noTicket)
  }${s.ticketStale ? ` — ${e(t.stale)}` : ''}</span></p>
<p>${e(t.tokenExpires)}: <span id="token-expiry">${when(c, s.tokenExpiresAt)}</span></p>`,
)}
${card('budget', t.budget, `<ul>${budget}</ul>`)}
${card('tenants-by-status', t.tenantsByStatus, `<ul>${byStatus}</ul>`)}
${card(
  'reauthorization',
  t.reauthorization,
  `<p class="big"><a href="/console/tenants?status=reauthorization_required">${e(n.tenantsByStatus.reauthorization_required ?? 0)}</a></p>`,
)}
${card('quota-blocks', t.quotaBlocks, `<p class="big">${e(n.quotaBlocksInForce)}</p>`)}
${card(
  'webhook-deliveries',
  t.deliveries,
  `<p><span class="big" id="deliveries-pending">${e(n.deliveriesPending)}</span> ${e(t.deliveriesPending)} · <span class="big err" id="deliveries-failed">${e(
    n.deliveriesFailed,
  )}</span> ${e(t.deliveriesFailed)}</p>`,
)}
${card('jobs-in-flight', t.jobsInFlight, `<p class="big">${e(n.jobsInFlight)}</p>`)}
</div>
${callsSection(c, s.calls)}
<script src="/console/assets/chart.umd.min.js" nonce="${e(c.nonce)}"></script>`,
    { signedIn: true, script: CHART_SCRIPT },
  );
}

const sets = (ids: number[]) => ids.map((id) => `${id} (${PERMISSION_SET_NAMES[id] ?? 'unnamed'})`).join(', ') || '—';

export function tenantsPage(
  c: PageContext,
  p: { rows: ConsoleTenantRow[]; q: string; status: string; page: number; hasNext: boolean; statuses: readonly string[] },
): string {
  const t = m(c).tenants;
  const link = (page: number) =>
    `/console/tenants?${new URLSearchParams({ q: p.q, status: p.status, page: String(page) }).toString()}`;
  const rows = p.rows
    .map(
      (r) => `<tr data-tenant-id="${e(r.id)}" data-status="${e(r.status)}">
${cell(`<a href="/console/tenants/${e(r.id)}">${e(r.name)}</a><br><span class="muted wrap">${e(r.externalId ?? '')}</span>`)}
${cell(e(word(c, r.status)), 'status')}${cell(`${e(r.nickName ?? '')} <code>${e(r.appId ?? '—')}</code>`)}
<td class="sets" data-permission-sets="${e(r.permissionSets.join(','))}">${e(sets(r.permissionSets))}</td>${cell(
        when(c, r.tokenExpiresAt),
      )}</tr>`,
    )
    .join('\n');
  const options = ['', ...p.statuses]
    .map((s) => `<option value="${e(s)}"${s === p.status ? ' selected' : ''}>${e(s ? word(c, s) : t.anyStatus)}</option>`)
    .join('');
  return layout(
    c,
    t.title,
    `<h1>${e(t.title)}</h1>
<form method="get" action="/console/tenants">
<input id="search" name="q" value="${e(p.q)}" placeholder="${e(t.searchPlaceholder)}">
<select id="status-filter" name="status">${options}</select> <button type="submit">${e(t.search)}</button>
</form>
${table(c, 'tenants', t.columns, rows, t.none)}
<p>${p.page > 1 ? `<a id="prev-page" href="${e(link(p.page - 1))}">${e(t.previous)}</a>` : ''} ${e(t.page(p.page))} ${
      p.hasNext ? `<a id="next-page" href="${e(link(p.page + 1))}">${e(t.next)}</a>` : ''
    }</p>`,
    { signedIn: true },
  );
}

export interface AuditLine {
  at: string;
  actor: string;
  actorName?: string | null;
  action: string;
  total: number;
  succeeded: number;
  invalid: number;
  failed: number;
  jobId: string | null;
}

/** The share of a job's openids actually handled: a cancelled job shows what it did, not 100 %. */
export const jobPercent = (j: { total: number; processed: number }) =>
  j.total === 0 ? 100 : Math.floor((j.processed * 100) / j.total);

export const OPEN_JOB_STATUSES: readonly string[] = ['queued', 'running', 'paused'];

export function jobRow(c: PageContext, tenantId: string, j: ConsoleJobRow): string {
  const t = m(c).tenant;
  return `<tr data-job-id="${e(j.id)}" data-status="${e(j.status)}">${cell(`<code>${e(j.id)}</code>`)}${cell(
    e(word(c, j.action)),
  )}
${cell(e(word(c, j.status)), 'job-status')}${cell(`<progress max="${e(Math.max(j.total, 1))}" value="${e(j.processed)}"></progress>
<span class="job-percent">${e(jobPercent(j))} %</span> <span class="muted job-total">${e(t.of(j.total))}</span>`)}${cell(when(c, j.createdAt))}
<td>${
    OPEN_JOB_STATUSES.includes(j.status)
      ? `<form method="post" action="/console/tenants/${e(tenantId)}/jobs/${e(j.id)}/cancel" class="inline cancel-form">${csrf(c)}<button class="cancel-job" type="submit">${e(t.cancel)}</button></form>`
      : ''
  }</td></tr>`;
}

export function auditRow(c: PageContext, a: AuditLine): string {
  const t = m(c).tenant;
  return `<tr>${cell(when(c, a.at))}${cell(e(a.actorName ? `${a.actor} ${a.actorName}` : a.actor))}${cell(e(word(c, a.action)))}${cell(
    e(t.auditOutcome(a)),
  )}${cell(`<code>${e(a.jobId ?? '')}</code>`)}</tr>`;
}

function deliveryRow(c: PageContext, tenantId: string, d: ConsoleDeliveryRow): string {
  const t = m(c).tenant;
  const owner = d.operatorEndpoint ? ` <span class="muted">(${e(t.operatorEndpoint)})</span>` : '';
  return `<tr data-event-id="${e(d.eventId)}" data-status="${e(d.status)}">${cell(when(c, d.updatedAt))}${cell(
    `<code>${e(d.type)}</code>`,
  )}${cell(e(word(c, d.status)))}${cell(e(d.attemptCount))}${cell(`<span class="wrap">${e(d.url)}</span>${owner}`)}
<td><form method="post" action="/console/tenants/${e(tenantId)}/deliveries/${e(d.endpointId)}/${e(d.eventId)}/redeliver" class="inline">${csrf(c)}<button class="redeliver" type="submit">${e(t.redeliver)}</button></form></td></tr>`;
}

/** An open onboarding link: its link is not shown again (only its digest is stored), so the id names it. */
function sessionRow(c: PageContext, tenantId: string, s: OpenAuthorizationSessionView): string {
  const t = m(c).tenant;
  return `<tr data-session-id="${e(s.id)}">${cell(`<code>${e(s.id)}</code>`)}${cell(when(c, s.createdAt))}${cell(
    when(c, s.expiresAt),
  )}${cell(`<span class="wrap">${e(s.returnUrl ?? '—')}</span>`)}
<td><form method="post" action="/console/tenants/${e(tenantId)}/authorization-sessions/${e(s.id)}/close" class="inline close-session-form" data-confirm="${e(t.confirmClose)}">${csrf(c)}<button class="close-session" type="submit">${e(t.closeSession)}</button></form></td></tr>`;
}

/**
 * Keeps the tenant page live without a reload: every 2 s (5 s after an error) it fetches the
 * page's own fragments as JSON (rendered on the server, in this language and zone) and swaps the
 * job and audit rows; new jobs, including ones started through the API, appear this way.
 * Cancel and Close ask first. The CSP allows no inline handlers, hence the listeners.
 */
const LIVE_SCRIPT = `(function () {
  var jobs = document.getElementById('jobs');
  var audit = document.getElementById('audit');
  var url = jobs.getAttribute('data-poll');
  var confirmText = jobs.getAttribute('data-confirm');
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form.classList) return;
    var ask = form.classList.contains('cancel-form') ? confirmText : form.classList.contains('close-session-form') ? form.getAttribute('data-confirm') : null;
    if (ask && !window.confirm(ask)) ev.preventDefault();
  });
  function swap(table, rows) {
    var head = table.querySelector('tr');
    var body = head.parentNode;
    while (head.nextSibling) body.removeChild(head.nextSibling);
    body.insertAdjacentHTML('beforeend', rows);
  }
  var upload = document.getElementById('upload-job');
  upload.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var file = document.getElementById('upload-file').files[0];
    var result = document.getElementById('upload-result');
    if (!file) return;
    var target = upload.getAttribute('data-action') + '?action=' + encodeURIComponent(document.getElementById('upload-action').value);
    fetch(target, { method: 'POST', credentials: 'same-origin', headers: { Accept: 'application/json', 'Content-Type': 'text/csv', 'X-CSRF-Token': upload.getAttribute('data-csrf') }, body: file })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (x) {
        result.className = x.ok ? 'ok wrap' : 'err wrap';
        result.setAttribute('data-job-id', x.ok ? x.body.id : '');
        result.textContent = x.ok ? upload.getAttribute('data-started') + ' ' + x.body.id : upload.getAttribute('data-failed') + ' ' + (x.body.error ? x.body.error.code + ': ' + x.body.error.message : '');
        if (x.ok) { upload.reset(); clearTimeout(timer); tick(); }
      })
      .catch(function () { result.className = 'err'; result.textContent = upload.getAttribute('data-failed'); });
  });
  var timer;
  function tick() {
    fetch(url, { credentials: 'same-origin' }).then(function (r) { return r.ok ? r.json() : null; }).then(function (body) {
      if (body) { swap(jobs, body.jobRows); swap(audit, body.auditRows); }
      timer = setTimeout(tick, body ? 2000 : 5000);
    }).catch(function () { timer = setTimeout(tick, 5000); });
  }
  timer = setTimeout(tick, 1000);
})();`;

export interface TenantPageModel {
  tenant: ConsoleTenantRow;
  audit: AuditLine[];
  jobs: ConsoleJobRow[];
  deliveries: ConsoleDeliveryRow[];
  sessions: OpenAuthorizationSessionView[];
  onboardingUrl?: string;
  /** Set when "New onboarding link" met the per-tenant cap of open sessions. */
  sessionCap?: number;
}

export const jobRows = (c: PageContext, tenantId: string, jobs: ConsoleJobRow[]) =>
  jobs.length
    ? jobs.map((j) => jobRow(c, tenantId, j)).join('\n')
    : `<tr><td colspan="6" class="muted">${e(m(c).tenant.noJobs)}</td></tr>`;

export const auditRows = (c: PageContext, audit: AuditLine[]) =>
  audit.length
    ? audit.map((a) => auditRow(c, a)).join('\n')
    : `<tr><td colspan="5" class="muted">${e(m(c).tenant.noAudit)}</td></tr>`;

export function tenantPage(c: PageContext, p: TenantPageModel): string {
  const t = m(c).tenant;
  const r = p.tenant;
  return layout(
    c,
    r.name,
    `<h1 id="tenant-name" class="wrap">${e(r.name)}</h1>
${
  p.sessionCap === undefined
    ? ''
    : `<p id="onboarding-cap" class="err" data-code="TOO_MANY_SESSIONS">${e(t.atCap(p.sessionCap))} <a href="#open-sessions">${e(t.atCapLink)}</a></p>`
}
${p.onboardingUrl ? `<p>${e(t.linkMade)} <a id="onboarding-link" href="${e(p.onboardingUrl)}" class="wrap">${e(p.onboardingUrl)}</a></p>` : ''}
<div class="table"><table id="tenant" data-tenant-id="${e(r.id)}">
<tr><th>${e(t.status)}</th><td id="tenant-status" data-status="${e(r.status)}">${e(word(c, r.status))}</td></tr>
<tr><th>${e(t.account)}</th><td>${e(r.nickName ?? '')} <code id="tenant-appid">${e(r.appId ?? '—')}</code></td></tr>
<tr><th>${e(t.permissionSets)}</th><td id="tenant-sets" data-permission-sets="${e(r.permissionSets.join(','))}">${e(sets(r.permissionSets))}</td></tr>
<tr><th>${e(t.tokenExpires)}</th><td>${when(c, r.tokenExpiresAt)}</td></tr>
<tr><th>${e(t.externalId)}</th><td class="wrap">${e(r.externalId ?? '—')}</td></tr>
<tr><th>${e(t.webOAuthOrigins)}</th><td class="wrap" id="tenant-web-oauth-origins">${e(r.webOAuthOrigins.join(' ') || t.noWebOAuthOrigins)}</td></tr>
</table></div>
<form method="post" action="/console/tenants/${e(r.id)}/onboarding-links">${csrf(c)}<button id="new-onboarding-link" type="submit">${e(t.newLink)}</button></form>
<h2 id="open-sessions">${e(t.sessions)}</h2>
${table(c, 'sessions', t.sessionColumns, p.sessions.map((x) => sessionRow(c, r.id, x)).join('\n'), t.noSessions)}
<h2>${e(t.jobs)}</h2>
<form id="upload-job" data-action="/console/tenants/${e(r.id)}/jobs" data-csrf="${e(c.csrfToken ?? '')}" data-started="${e(t.uploadStarted)}" data-failed="${e(t.uploadFailed)}">
<label>${e(t.upload)} <input id="upload-file" type="file" accept=".csv,.txt,text/csv,text/plain" required></label>
<select id="upload-action"><option value="block">${e(word(c, 'block'))}</option><option value="unblock">${e(word(c, 'unblock'))}</option></select>
<button id="upload-submit" type="submit">${e(t.uploadSubmit)}</button>
<span class="muted">${e(t.uploadHint)}</span>
<p id="upload-result" class="wrap"></p>
</form>
${table(c, 'jobs', t.jobColumns, jobRows(c, r.id, p.jobs), t.noJobs, ` data-poll="/console/tenants/${e(r.id)}/live.json" data-confirm="${e(t.confirmCancel)}"`)}
<h2>${e(t.audit)}</h2>
${table(c, 'audit', t.auditColumns, auditRows(c, p.audit), t.noAudit)}
<h2>${e(t.deliveries)}</h2>
${table(c, 'deliveries', [...t.deliveryColumns, ''], p.deliveries.map((d) => deliveryRow(c, r.id, d)).join('\n'), t.noDeliveries)}`,
    { signedIn: true, script: LIVE_SCRIPT },
  );
}

export function consoleErrorPage(c: PageContext, status: number, code: string, fallback: string, signedIn: boolean): string {
  const t = m(c).errors;
  return layout(
    c,
    t.title(status),
    `<h1 class="err">${e(t.title(status))}</h1><p id="console-error" data-code="${e(code)}">${e(t.byCode[code] ?? fallback)}</p>
<p class="muted"><code id="error-code">${e(code)}</code></p>`,
    { signedIn },
  );
}
