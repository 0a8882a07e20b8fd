'use strict';
// The web chat page of dirigo-gateway in a real browser (headless Chromium,
// driven by playwright-core), checked as a person uses it: the page at /,
// the keyboard alone, a phone's width, and the chat embedded by one script
// tag in another site's page.
//   node web_chat_test.js WORK_DIR ARTIFACT_DIR
// The embedding page is served here, on a free port written to
// WORK_DIR/host_port; the gateway must allow that origin, so it starts after
// (web_chat_test.sh) and writes its port to WORK_DIR/gateway_port.
// Prints "ok NAME" or "FAIL: NAME: why" per check, screenshots go to
// ARTIFACT_DIR, and the exit status is 1 when a check failed.
// CHROMIUM names the browser (default /usr/bin/chromium, Debian's).

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { chromium } = require('playwright-core');

const [workDir, artifactDir] = process.argv.slice(2);
if (!workDir || !artifactDir) {
  console.error('usage: node web_chat_test.js WORK_DIR ARTIFACT_DIR');
  process.exit(2);
}
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const stepMs = 10000;

// A conversation that reaches the plan: typed, then answered with the
// quick reply whose text is given.
const conversation = [
  { type: 'ho la laurea magistrale in economia' },
  { type: 'lavoro da 5 anni come segretaria' },
  { reply: 'no' },
  { reply: 'risorse umane' },
  { reply: 'grande multinazionale' },
];

let passed = 0;
let failed = 0;
async function check(name, body) {
  try {
    await body();
    passed += 1;
    console.log('ok ' + name);
  } catch (e) {
    failed += 1;
    console.log('FAIL: ' + name + ': ' + String((e && e.message) || e).split('\n')[0]);
  }
}

function assert(condition, why) {
  if (!condition) throw new Error(why);
}

function sameList(got, want, what) {
  const a = JSON.stringify(got);
  const b = JSON.stringify(want);
  assert(a === b, what + ': got ' + a + ', want ' + b);
}

async function until(probe, what, ms = stepMs) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// --- the gateway's API, for reference answers --------------------------------

let gateway = '';
async function api(method, route, body) {
  const res = await fetch(gateway + route, {
    method: method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(stepMs),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch (e) {
    json = null;
  }
  return { status: res.status, headers: res.headers, json: json, text: text };
}

// The turns the bot gives to `conversation`, through the API: what the page
// must show.
async function referenceTurns() {
  const created = await api('POST', '/chat/v1/sessions', {});
  assert(created.status === 200, 'create: HTTP ' + created.status);
  const turns = [created.json.turn];
  const name = created.json.session.name;
  for (const step of conversation) {
    const text = step.type || step.reply;
    const answer = await api('POST', '/chat/v1/sessions/' + name + ':converse', { text: text });
    assert(answer.status === 200, 'converse: HTTP ' + answer.status);
    turns.push(answer.json.turn);
  }
  await api('DELETE', '/chat/v1/sessions/' + name);
  return turns;
}

function bubbleTexts(turn) {
  return (turn.messages || []).filter((m) => !m.adviceId).map((m) => m.text);
}

// --- the embedding page -------------------------------------------------------

// An intranet page with a strict CSP of its own and CSS that would wreck a
// widget that did not isolate itself.
function hostPage(port) {
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<title>Portal</title><link rel="icon" href="data:,">' +
    '<link rel="stylesheet" href="/portal.css"></head><body>' +
    '<h1 class="portal-heading">Portal</h1><p>Welcome.</p>' +
    '<script src="http://127.0.0.1:' +
    port +
    '/dirigo-chat.js" data-dirigo-embed async></script>' +
    '</body></html>\n'
  );
}
const portalCss =
  '* { color: red; font-size: 40px }\n' +
  'div, p, span, button, input { margin: 24px; padding: 24px; letter-spacing: 3px;' +
  ' font-family: serif; line-height: 3; text-transform: uppercase }\n' +
  'button { background: yellow; border: 6px dashed red }\n';

function startHost() {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      const gatewayOrigin = gateway || 'http://127.0.0.1';
      const csp =
        "default-src 'self'; img-src 'self' data:; script-src 'self' " +
        gatewayOrigin +
        "; style-src 'self' " +
        gatewayOrigin +
        "; connect-src 'self' " +
        gatewayOrigin;
      if (req.url === '/') {
        const port = new URL(gatewayOrigin).port;
        res.writeHead(200, {
          'Content-Type': 'text/html; charset=utf-8',
          'Content-Security-Policy': csp,
        });
        res.end(hostPage(port));
      } else if (req.url === '/portal.css') {
        res.writeHead(200, { 'Content-Type': 'text/css' });
        res.end(portalCss);
      } else {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('not found\n');
      }
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

// --- watching pages -----------------------------------------------------------

// Console errors, uncaught exceptions and CSP violations, by page. A phase
// that breaks the network on purpose expects "Failed to load resource".
const problems = [];
let expectedFailures = null;
async function watch(context, label) {
  await context.exposeBinding('dirigoTestViolation', (source, text) => {
    problems.push(label + ': CSP violation ' + text);
  });
  await context.addInitScript(() => {
    document.addEventListener(
      'securitypolicyviolation',
      (e) => window.dirigoTestViolation(e.violatedDirective + ' ' + e.blockedURI),
      true,
    );
  });
  context.on('page', (page) => watchPage(page, label));
}
function watchPage(page, label) {
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (expectedFailures && expectedFailures.test(text)) return;
    problems.push(label + ': console: ' + text);
  });
  page.on('pageerror', (error) => problems.push(label + ': ' + error.message));
}

// --- the chat, as a person sees it --------------------------------------------

let T = {};
function chat(page) {
  return {
    input: page.getByRole('textbox', { name: T.web_input_label, exact: true }),
    send: page.getByRole('button', { name: T.web_send, exact: true }),
    log: page.getByRole('log'),
    bots: page.locator('.dg-log .dg-bot'),
    people: page.locator('.dg-log .dg-person'),
    replies: page.getByRole('group', { name: T.web_replies, exact: true }),
    newButton: page.getByRole('button', { name: T.web_new, exact: true }),
    alert: page.getByRole('alert'),
    typing: page.getByRole('status'),
  };
}

async function botCount(page) {
  return chat(page).bots.count();
}

async function waitBotTurn(page, index) {
  await chat(page).bots.nth(index).waitFor({ timeout: stepMs });
  return chat(page).bots.nth(index);
}

async function texts(locator) {
  return (await locator.allTextContents()).map((t) => t.trim());
}

async function isFocused(locator) {
  return locator.evaluate((e) => e.getRootNode().activeElement === e);
}

// Types a message and sends it with Enter; returns the bot's answering turn.
async function typeAndSend(page, text) {
  const c = chat(page);
  const before = await botCount(page);
  await c.input.fill(text);
  await c.input.press('Enter');
  return waitBotTurn(page, before);
}

// Clicks the quick reply of the last turn whose text the reference knows.
async function clickReply(page, refTurn, text) {
  const reply = refTurn.quickReplies.find((r) => r.text === text);
  assert(reply, 'the reference turn offers no reply "' + text + '"');
  const before = await botCount(page);
  await chat(page).replies.getByRole('button', { name: reply.label, exact: true }).click();
  return { turn: await waitBotTurn(page, before), label: reply.label };
}

// Goes through `conversation` from the greeting to the plan.
async function reachPlan(page, ref) {
  let group = null;
  for (let i = 0; i < conversation.length; i++) {
    const step = conversation[i];
    if (step.type) group = await typeAndSend(page, step.type);
    else group = (await clickReply(page, ref[i], step.reply)).turn;
  }
  return group;
}

async function noHorizontalScroll(page, width) {
  const scrollWidth = await page.evaluate(() => document.scrollingElement.scrollWidth);
  assert(scrollWidth <= width, 'scrollWidth ' + scrollWidth + ' > ' + width);
}

async function withinViewport(locator, viewport, what) {
  const box = await locator.boundingBox();
  assert(box, what + ' is not shown');
  assert(
    box.x >= 0 &&
      box.y >= 0 &&
      box.x + box.width <= viewport.width &&
      box.y + box.height <= viewport.height,
    what + ' is outside the viewport: ' + JSON.stringify(box),
  );
}

// A screenshot that could not be taken is missed by web_chat_test.sh; the
// run goes on.
async function shot(page, name) {
  try {
    await page.screenshot({ path: path.join(artifactDir, name) });
  } catch (e) {
    console.log('screenshot ' + name + ': ' + e.message.split('\n')[0]);
  }
}

// --- the runs -----------------------------------------------------------------

async function pageRun(browser, ref) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(stepMs);
  await watch(context, 'page');
  const page = await context.newPage();
  const c = chat(page);

  await check('the page is served with its CSP', async () => {
    const res = await api('GET', '/');
    assert(res.status === 200, 'GET /: HTTP ' + res.status);
    const csp = res.headers.get('content-security-policy') || '';
    assert(csp.includes("default-src 'self'"), 'CSP: ' + csp);
  });

  await check('the page loads with the greeting and the first question', async () => {
    await page.goto(gateway + '/');
    const first = await waitBotTurn(page, 0);
    sameList(await texts(first.locator('.dg-text')), bubbleTexts(ref[0]), 'greeting');
    sameList(
      await texts(c.replies.getByRole('button')),
      ref[0].quickReplies.map((r) => r.label),
      'quick replies',
    );
  });

  await check("the page speaks the texts' language, with their words", async () => {
    assert((await page.getAttribute('html', 'lang')) === texts_locale, 'lang');
    assert((await page.title()) === T.web_title, 'title: ' + (await page.title()));
    assert((await c.input.getAttribute('placeholder')) === T.web_placeholder, 'placeholder');
    await c.send.waitFor();
    await c.newButton.waitFor();
    assert((await page.locator('h1').textContent()) === T.web_title, 'heading');
  });

  await shot(page, 'web-chat-1280-start.png');

  await check('typing a message and Enter: it is shown, and the bot answers', async () => {
    const group = await typeAndSend(page, conversation[0].type);
    sameList(
      await texts(c.people.last().locator('.dg-text')),
      [conversation[0].type],
      "the person's bubble",
    );
    sameList(await texts(group.locator('.dg-text')), bubbleTexts(ref[1]), 'answer');
    assert((await c.input.inputValue()) === '', 'the input is emptied');
    assert(await isFocused(c.input), 'the input keeps the focus');
  });

  await check('the send button sends too', async () => {
    const before = await botCount(page);
    await c.input.fill(conversation[1].type);
    await c.send.click();
    const group = await waitBotTurn(page, before);
    sameList(await texts(group.locator('.dg-text')), bubbleTexts(ref[2]), 'answer');
    assert(await isFocused(c.input), 'focus back on the input');
  });

  await check('a quick reply: its label is shown, its text sent, older replies gone', async () => {
    const { turn, label } = await clickReply(page, ref[2], conversation[2].reply);
    sameList(await texts(c.people.last().locator('.dg-text')), [label], "the person's bubble");
    sameList(await texts(turn.locator('.dg-text')), bubbleTexts(ref[3]), 'answer');
    assert(
      (await c.replies.count()) === 1,
      'one set of quick replies, got ' + (await c.replies.count()),
    );
    sameList(
      await texts(c.replies.getByRole('button')),
      ref[3].quickReplies.map((r) => r.label),
      'new replies',
    );
    assert(await isFocused(c.input), 'focus back on the input');
  });

  let plan = null;
  await check('the plan: a checklist of the advice titles, not repeated as bubbles', async () => {
    await clickReply(page, ref[3], conversation[3].reply);
    const { turn } = await clickReply(page, ref[4], conversation[4].reply);
    plan = turn.locator('.dg-plan');
    await plan.waitFor();
    const advice = ref[5].advice;
    assert(advice.length >= 3, 'the reference plan has ' + advice.length + ' steps');
    sameList(
      await texts(plan.locator('.dg-step-title')),
      advice.map((a) => a.title),
      'titles',
    );
    sameList(
      await texts(turn.locator('.dg-bubble .dg-text')),
      bubbleTexts(ref[5]),
      'the other messages',
    );
    for (const a of advice) {
      await page.getByRole('checkbox', { name: a.title, exact: true }).waitFor();
    }
    assert(
      (await plan.getByRole('heading', { name: T.web_plan, exact: true }).count()) === 1,
      'plan heading',
    );
  });

  await check("a citation opens on click and shows the article's quote", async () => {
    const first = ref[5].advice[0];
    const step = plan.locator('.dg-step').first();
    const quote = step.locator('.dg-quote').first();
    assert(!(await quote.isVisible()), 'the quote shows before the click');
    await step.locator('summary').first().click();
    await quote.waitFor({ state: 'visible' });
    assert(
      (await quote.textContent()) === first.citations[0].quote,
      'quote: ' + (await quote.textContent()),
    );
    const summary = (await step.locator('summary').first().textContent()).trim();
    assert(summary === first.citations[0].sectionHeading, 'summary: ' + summary);
  });

  await check('a step can be ticked', async () => {
    const box = page.getByRole('checkbox', { name: ref[5].advice[1].title, exact: true });
    await box.check();
    assert(await box.isChecked(), 'not ticked');
    assert(
      (await plan.locator('.dg-plan-count').textContent()) === '1/' + ref[5].advice.length,
      'count',
    );
  });

  await check('no inline style anywhere', async () => {
    // (Playwright's fill() leaves an empty one on the input.)
    const styled = await page.evaluate(() =>
      Array.from(document.querySelectorAll('[style]:not([style=""])'), (e) => e.outerHTML),
    );
    assert(styled.length === 0, 'style attributes: ' + styled.join(' ').slice(0, 300));
  });

  await shot(page, 'web-chat-1280.png');

  const name = await page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith('dirigo-chat:'));
    return JSON.parse(localStorage.getItem(key)).session;
  });
  await check('a reload continues the conversation', async () => {
    const bots = await botCount(page);
    const people = await texts(c.people.locator('.dg-text'));
    const said = await texts(c.bots.locator('.dg-bubble .dg-text'));
    await page.reload();
    await waitBotTurn(page, bots - 1);
    assert(
      (await botCount(page)) === bots,
      'bot turns ' + (await botCount(page)) + ', want ' + bots,
    );
    sameList(await texts(c.people.locator('.dg-text')), people, "the person's messages");
    sameList(await texts(c.bots.locator('.dg-bubble .dg-text')), said, "the bot's messages");
    const reloaded = page.locator('.dg-plan');
    sameList(
      await texts(reloaded.locator('.dg-step-title')),
      ref[5].advice.map((a) => a.title),
      'plan titles',
    );
    assert(
      await page.getByRole('checkbox', { name: ref[5].advice[1].title, exact: true }).isChecked(),
      'the tick',
    );
    sameList(
      await texts(c.replies.getByRole('button')),
      ref[5].quickReplies.map((r) => r.label),
      'replies',
    );
  });

  await check(
    'the gateway unreachable: a clear error, the text kept; then it works again',
    async () => {
      expectedFailures = /Failed to load resource/;
      const cut = (url) => url.pathname.endsWith(':converse');
      await page.route(cut, (route) => route.abort('connectionrefused'));
      const before = await botCount(page);
      await c.input.fill('cosa sai di me?');
      await c.input.press('Enter');
      await c.alert.filter({ hasText: T.web_error }).waitFor({ state: 'visible' });
      assert(
        (await c.input.inputValue()) === 'cosa sai di me?',
        'the text is not back in the input',
      );
      assert((await botCount(page)) === before, 'a turn was drawn');
      await page.unroute(cut);
      await c.input.press('Enter');
      await waitBotTurn(page, before);
      assert(!(await c.alert.isVisible()), 'the error stays');
      expectedFailures = null;
    },
  );

  await check('"new conversation" deletes the old one and starts afresh', async () => {
    await c.newButton.click();
    await until(
      async () => (await botCount(page)) === 1 && (await c.people.count()) === 0,
      'a fresh log',
    );
    sameList(await texts(c.bots.first().locator('.dg-text')), bubbleTexts(ref[0]), 'greeting');
    const old = await api('GET', '/chat/v1/sessions/' + name);
    assert(old.status === 404, 'the old session answers HTTP ' + old.status);
    const now = await page.evaluate(() => {
      const key = Object.keys(localStorage).find((k) => k.startsWith('dirigo-chat:'));
      return JSON.parse(localStorage.getItem(key)).session;
    });
    assert(now && now !== name, 'the new session is not kept');
    assert(await isFocused(c.input), 'focus on the input');
  });

  await check('a session gone at the server: the page begins a new one', async () => {
    expectedFailures = /Failed to load resource/;
    const gone = 's-' + '0'.repeat(32);
    await page.evaluate((n) => {
      const key = Object.keys(localStorage).find((k) => k.startsWith('dirigo-chat:'));
      const kept = JSON.parse(localStorage.getItem(key));
      kept.session = n;
      localStorage.setItem(key, JSON.stringify(kept));
    }, gone);
    await page.reload();
    await waitBotTurn(page, 0);
    sameList(await texts(c.bots.first().locator('.dg-text')), bubbleTexts(ref[0]), 'greeting');
    await until(
      () =>
        page.evaluate(() => {
          const key = Object.keys(localStorage).find((k) => k.startsWith('dirigo-chat:'));
          const s = JSON.parse(localStorage.getItem(key)).session;
          return s && s !== 's-' + '0'.repeat(32);
        }),
      'a new session kept',
    );
    expectedFailures = null;
  });

  await context.close();
}

// Tab, Shift+Tab, Enter and Space only.
async function keyboardRun(browser, ref) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(stepMs);
  await watch(context, 'keyboard');
  const page = await context.newPage();
  const c = chat(page);
  await page.goto(gateway + '/');
  await waitBotTurn(page, 0);
  const kb = page.keyboard;

  // What has the focus: its role-ish description.
  const focused = () =>
    page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return '';
      return (
        e.tagName.toLowerCase() + '|' + (e.className || '') + '|' + (e.textContent || '').trim()
      );
    });
  async function tabTo(test, what, back = false, most = 40) {
    for (let i = 0; i < most; i++) {
      await kb.press(back ? 'Shift+Tab' : 'Tab');
      if (test(await focused())) return;
    }
    throw new Error(what + ' not reached with ' + (back ? 'Shift+Tab' : 'Tab'));
  }

  await check(
    'keyboard: Tab reaches "new conversation", the quick replies and the input',
    async () => {
      await page.evaluate(() => document.activeElement && document.activeElement.blur());
      const seen = [];
      for (let i = 0; i < 20; i++) {
        await kb.press('Tab');
        const f = await focused();
        seen.push(f);
        if (f.startsWith('input|dg-input')) break;
      }
      assert(
        seen.some((f) => f.startsWith('button|dg-tool dg-new')),
        'new conversation: ' + seen.join(', '),
      );
      for (const r of ref[0].quickReplies) {
        assert(
          seen.some((f) => f === 'button|dg-reply|' + r.label),
          'reply ' + r.label,
        );
      }
      assert(seen[seen.length - 1].startsWith('input|dg-input'), 'the input: ' + seen.join(', '));
    },
  );

  await check('keyboard: the focus ring is visible', async () => {
    const ring = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement);
      return [s.outlineStyle, parseFloat(s.outlineWidth)];
    });
    assert(ring[0] !== 'none' && ring[1] >= 2, 'outline ' + ring.join(' '));
  });

  await check('keyboard: type and Enter sends; the focus stays in the input', async () => {
    const before = await botCount(page);
    await kb.type(conversation[0].type);
    await kb.press('Enter');
    const group = await waitBotTurn(page, before);
    sameList(await texts(group.locator('.dg-text')), bubbleTexts(ref[1]), 'answer');
    assert(await isFocused(c.input), 'focus on the input');
  });

  await check('keyboard: Shift+Tab to a quick reply, Enter chooses it', async () => {
    const reply = ref[1].quickReplies[0];
    await tabTo((f) => f === 'button|dg-reply|' + reply.label, 'the reply', true);
    const focusRing = await page.evaluate(
      () => getComputedStyle(document.activeElement).outlineStyle,
    );
    assert(focusRing !== 'none', 'no focus ring on the reply');
    const before = await botCount(page);
    await kb.press('Enter');
    await waitBotTurn(page, before);
    sameList(
      await texts(c.people.last().locator('.dg-text')),
      [reply.label],
      "the person's bubble",
    );
    assert(await isFocused(c.input), 'focus back on the input');
  });

  await check('keyboard: Space chooses a reply too, up to the plan', async () => {
    // Now the same answers as the reference, for the same plan.
    let before = await botCount(page);
    await kb.type(conversation[1].type);
    await kb.press('Enter');
    await waitBotTurn(page, before);
    for (let i = 2; i < conversation.length; i++) {
      const reply = ref[i].quickReplies.find((r) => r.text === conversation[i].reply);
      await tabTo((f) => f === 'button|dg-reply|' + reply.label, reply.label, true);
      before = await botCount(page);
      await kb.press(i === 2 ? 'Space' : 'Enter');
      await waitBotTurn(page, before);
      assert(await isFocused(c.input), 'focus back on the input');
    }
    await page.locator('.dg-plan').waitFor();
  });

  await check('keyboard: a citation opens with Enter, a step is ticked with Space', async () => {
    const heading = ref[5].advice[ref[5].advice.length - 1].citations[0].sectionHeading;
    await tabTo(
      (f) => f === 'summary|dg-cite-heading|' + heading,
      "the last step's citation",
      true,
    );
    await kb.press('Enter');
    const open = await page.evaluate(() => document.activeElement.parentElement.open);
    assert(open, 'the citation did not open');
    await tabTo((f) => f.startsWith('input|dg-check'), 'a checkbox', true);
    await kb.press('Space');
    assert(await page.evaluate(() => document.activeElement.checked), 'not ticked');
  });

  await context.close();
}

async function phoneRun(browser, ref) {
  const viewport = { width: 375, height: 740 };
  const context = await browser.newContext({ viewport: viewport, hasTouch: true });
  context.setDefaultTimeout(stepMs);
  await watch(context, 'phone');
  const page = await context.newPage();
  const c = chat(page);
  await page.goto(gateway + '/');
  await waitBotTurn(page, 0);

  await check('375 px: no horizontal scroll, the input and send button on screen', async () => {
    await noHorizontalScroll(page, viewport.width);
    await withinViewport(c.input, viewport, 'the input');
    await withinViewport(c.send, viewport, 'the send button');
    await withinViewport(c.newButton, viewport, 'new conversation');
  });
  await shot(page, 'web-chat-375-start.png');

  await check('375 px: at the plan, with a citation open, still no horizontal scroll', async () => {
    await reachPlan(page, ref);
    const plan = page.locator('.dg-plan');
    await plan.locator('summary').first().click();
    await plan.locator('.dg-quote').first().waitFor({ state: 'visible' });
    await noHorizontalScroll(page, viewport.width);
    await withinViewport(c.input, viewport, 'the input');
    const widest = await page.evaluate(() =>
      Math.max(
        ...Array.from(
          document.querySelectorAll('.dg-log *'),
          (e) => e.getBoundingClientRect().right,
        ),
      ),
    );
    assert(widest <= viewport.width, 'an element reaches ' + widest + ' px');
    await plan.scrollIntoViewIfNeeded();
  });
  await shot(page, 'web-chat-375.png');
  await context.close();
}

async function embedRun(browser, hostUrl) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(stepMs);
  await watch(context, 'embed');
  const page = await context.newPage();
  const c = chat(page);
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  const launcher = page.getByRole('button', { name: T.web_open, exact: true });

  await check('embed: the host page shows the launcher', async () => {
    await page.goto(hostUrl);
    await launcher.waitFor({ state: 'visible' });
    const style = await launcher.evaluate((e) => {
      const s = getComputedStyle(e);
      return [s.fontSize, s.color, s.position, s.textTransform, s.fontFamily];
    });
    sameList(style.slice(0, 4), ['15px', 'rgb(255, 255, 255)', 'fixed', 'none'], 'launcher style');
    assert(style[4].startsWith('system-ui'), 'launcher font: ' + style[4]);
  });

  await check(
    'embed: the launcher opens the panel, which talks to the gateway across origins',
    async () => {
      await launcher.click();
      const dialog = page.getByRole('dialog', { name: T.web_title, exact: true });
      await dialog.waitFor({ state: 'visible' });
      await waitBotTurn(page, 0);
      assert(await isFocused(c.input), "focus in the panel's input");
      const group = await typeAndSend(page, conversation[0].type);
      assert((await texts(group.locator('.dg-text'))).length > 0, 'no answer');
      const origin = new URL(hostUrl).origin;
      assert(new URL(page.url()).origin === origin, 'the page is not the host');
      assert(
        requests.some(
          (u) => u.startsWith(gateway + '/chat/v1/sessions/') && u.endsWith(':converse'),
        ),
        'no call to the gateway',
      );
    },
  );

  await check("embed: the host page's CSS does not reach the panel", async () => {
    const bubble = c.bots.first().locator('.dg-text').first();
    const style = await bubble.evaluate((e) => {
      const s = getComputedStyle(e);
      return [s.color, s.fontSize, s.letterSpacing, s.textTransform, s.marginTop];
    });
    sameList(style, ['rgb(28, 39, 53)', '15px', 'normal', 'none', '0px'], 'bubble style');
    const input = await c.input.evaluate((e) => [
      getComputedStyle(e).fontSize,
      getComputedStyle(e).marginTop,
    ]);
    sameList(input, ['16px', '0px'], 'input style');
    const send = await c.send.evaluate((e) => getComputedStyle(e).backgroundColor);
    assert(send !== 'rgb(255, 255, 0)', 'the send button is yellow');
    const heading = await page
      .locator('.portal-heading')
      .evaluate((e) => getComputedStyle(e).color);
    assert(heading === 'rgb(255, 0, 0)', "the host page's own CSS is not applied: " + heading);
  });

  await shot(page, 'web-chat-embed.png');

  await check('embed: Escape closes the panel and returns focus to the launcher', async () => {
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    await launcher.waitFor({ state: 'visible' });
    assert(await isFocused(launcher), 'focus not on the launcher');
  });

  await check('embed: the close button closes it too', async () => {
    await launcher.click();
    await page.getByRole('dialog').waitFor({ state: 'visible' });
    assert((await c.bots.count()) >= 2, 'the conversation is lost');
    await page.getByRole('button', { name: T.web_close, exact: true }).click();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    assert(await isFocused(launcher), 'focus not on the launcher');
  });

  await context.close();
}

// The embedded panel on a phone: the whole screen.
async function embedPhoneRun(browser, hostUrl) {
  const viewport = { width: 375, height: 740 };
  const context = await browser.newContext({ viewport: viewport, hasTouch: true });
  context.setDefaultTimeout(stepMs);
  await watch(context, 'embed on a phone');
  const page = await context.newPage();
  const c = chat(page);
  await check('embed at 375 px: the panel fills the screen, the input on screen', async () => {
    await page.goto(hostUrl);
    await page.getByRole('button', { name: T.web_open, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: T.web_title, exact: true });
    await dialog.waitFor({ state: 'visible' });
    await waitBotTurn(page, 0);
    sameList(
      Object.values(await dialog.boundingBox()),
      [0, 0, viewport.width, viewport.height],
      'panel box',
    );
    await withinViewport(c.input, viewport, 'the input');
    await withinViewport(
      page.getByRole('button', { name: T.web_close, exact: true }),
      viewport,
      'close',
    );
  });
  await shot(page, 'web-chat-embed-375.png');
  await context.close();
}

let texts_locale = '';

async function main() {
  const host = await startHost();
  const hostUrl = 'http://127.0.0.1:' + host.address().port + '/';
  fs.writeFileSync(path.join(workDir, 'host_port'), String(host.address().port) + '\n');

  // The gateway comes up once it knows the host page's origin.
  const portFile = path.join(workDir, 'gateway_port');
  const port = await until(
    () => {
      try {
        const m = /^(\d+)\s*$/.exec(fs.readFileSync(portFile, 'utf8'));
        return m && m[1];
      } catch (e) {
        return null;
      }
    },
    "the gateway's port",
    30000,
  );
  gateway = 'http://127.0.0.1:' + port;
  await until(
    async () => {
      try {
        return (await api('GET', '/healthz')).status === 200;
      } catch (e) {
        return false;
      }
    },
    'a healthy gateway',
    30000,
  );

  const got = await api('GET', '/chat/v1/texts');
  T = got.json.texts;
  texts_locale = got.json.locale;
  const ref = await referenceTurns();

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox'],
  });
  try {
    await pageRun(browser, ref);
    await keyboardRun(browser, ref);
    await phoneRun(browser, ref);
    await embedRun(browser, hostUrl);
    await embedPhoneRun(browser, hostUrl);
  } finally {
    await browser.close();
    host.close();
  }
  await check('no console errors, no CSP violations', async () => {
    assert(problems.length === 0, problems.join(' | '));
  });
}

// Never hangs: the whole run has a minute and a half.
const watchdog = setTimeout(() => {
  console.log('FAIL: the browser run took over 90 s');
  process.exit(1);
}, 90000);
main()
  .catch((e) => {
    failed += 1;
    console.log(
      'FAIL: the browser run stopped: ' +
        String((e && e.stack) || e)
          .split('\n')
          .slice(0, 3)
          .join(' '),
    );
  })
  .finally(() => {
    clearTimeout(watchdog);
    console.log('web chat in the browser: ' + passed + ' passed, ' + failed + ' failed');
    process.exitCode = failed === 0 ? 0 : 1;
  });
