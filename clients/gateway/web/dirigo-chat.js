// Dirigo's web chat, in two modes from the same file:
//  - the page that dirigo-gateway serves at / (index.html: the chat fills the
//    page);
//  - embedded in another site (an HR portal, an intranet) by one tag,
//      <script src="https://GATEWAY/dirigo-chat.js" data-dirigo-embed async></script>
//    which adds a launcher button that opens the chat in a panel. The panel
//    lives in a shadow root, so the host page's CSS does not reach it, and it
//    calls the gateway across origins (dirigo-gateway --allowed_origins).
// Every word it shows comes from the server (GET chat/v1/texts) or from the
// bot's turns: this file holds none, so the chat speaks the session's
// language. Server text is only ever set as textContent.
// Optional attribute on the script tag: data-locale="it" asks for that
// language (default: the server's).
(function () {
  'use strict';

  const script = document.currentScript;
  // Loaded twice (a portal's template and a page both adding the tag): one
  // chat is enough.
  const loaded = Symbol.for('dirigo-chat');
  if (!script || window[loaded]) return;
  window[loaded] = true;

  const embed = script.hasAttribute('data-dirigo-embed');
  // The gateway's files and routes sit beside this script, even behind a
  // proxy that serves the gateway under a path.
  const base = new URL('./', script.src);
  const wantedLocale = script.getAttribute('data-locale') || '';
  const storeKey = 'dirigo-chat:' + base.href;
  // Turns kept for a reload, with their citations, plan and replies (the
  // transcript holds plain text only).
  const keptTurns = 8;
  // The server gives up on a turn after 10 s; past this, the gateway is
  // taken as unreachable.
  const callTimeoutMs = 20000;

  // --- storage: the session's name, the texts, rich turns, ticks -----------

  // Private browsing or a sandboxed frame can refuse storage: the chat
  // still works, it only forgets on reload.
  function load() {
    try {
      return JSON.parse(window.localStorage.getItem(storeKey)) || {};
    } catch (e) {
      return {};
    }
  }
  function save(change) {
    const all = Object.assign(load(), change);
    try {
      window.localStorage.setItem(storeKey, JSON.stringify(all));
    } catch (e) {
      // Full or refused: nothing to keep then.
    }
  }

  // --- the gateway -----------------------------------------------------------

  class CallError extends Error {
    // status 0: the gateway was not reached.
    constructor(status, reason) {
      super(reason || String(status));
      this.status = status;
      this.reason = reason || '';
    }
  }

  async function call(method, path, body) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), callTimeoutMs);
    let res;
    try {
      res = await fetch(new URL(path, base), {
        method: method,
        headers: body ? { 'Content-Type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
        credentials: 'omit',
        cache: 'no-store',
        signal: abort.signal,
      });
    } catch (e) {
      throw new CallError(0, '');
    } finally {
      clearTimeout(timer);
    }
    let data = null;
    try {
      data = await res.json();
    } catch (e) {
      data = null;
    }
    if (!res.ok) {
      const error = (data && data.error) || {};
      throw new CallError(res.status, error.reason);
    }
    return data || {};
  }

  function sessionPath(name) {
    return 'chat/v1/sessions/' + encodeURIComponent(name);
  }

  // A request id makes a retried turn safe: the server answers it once.
  function newRequestId() {
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  // --- building blocks -------------------------------------------------------

  let lastId = 0;
  function uid() {
    lastId += 1;
    return 'dg-' + lastId;
  }

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  // Line icons, 24×24, drawn with the text's colour.
  const icons = {
    mark: ['M12 3.5l3.6 8.5H8.4z', 'M8.4 12h7.2L12 20.5z'],
    send: ['M4.5 12L20 4.5 15.5 20l-3.5-6.5z', 'M12 13.5L20 4.5'],
    restart: ['M4.5 12a7.5 7.5 0 1 0 2.2-5.3', 'M4.5 3.5v4h4'],
    close: ['M6.5 6.5l11 11', 'M17.5 6.5l-11 11'],
    chat: ['M4.5 5.5h15v10.5h-9l-4.5 3.5v-3.5h-1.5z', 'M8.5 9.5h7', 'M8.5 12.5h4.5'],
    alert: ['M12 3.5l9 16H3z', 'M12 10v4', 'M12 16.8v.2'],
  };
  function icon(name) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('class', 'dg-icon dg-icon-' + name);
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    for (const d of icons[name]) {
      const path = document.createElementNS(ns, 'path');
      path.setAttribute('d', d);
      svg.appendChild(path);
    }
    return svg;
  }

  // --- the chat --------------------------------------------------------------

  // One conversation's view and its calls. `frame` is filled with the
  // header, the message log, the status lines and the form. Options:
  // level, of the title's heading (1 or 2); canFocus(), whether the input
  // may take the focus now; onClose(), when given, adds a close button.
  class Chat {
    constructor(frame, options) {
      this.options = options;
      this.texts = {};
      this.locale = '';
      this.session = '';
      this.busy = false;
      this.replies = [];
      this.build(frame);
    }

    build(frame) {
      this.frame = frame;
      frame.classList.add('dg-frame');
      frame.append(this.buildHeader(), this.buildLog(), this.buildFooter());
      this.setBusy(true);
    }

    buildHeader() {
      const header = el('header', 'dg-header');
      const brand = el('div', 'dg-brand');
      const logo = el('span', 'dg-logo');
      logo.appendChild(icon('mark'));
      // Embedded, the chat is a part of the host page: its title is no h1.
      this.title = el('h' + this.options.level, 'dg-title');
      this.title.id = uid();
      brand.append(logo, this.title);
      const tools = el('div', 'dg-tools');
      this.newButton = el('button', 'dg-tool dg-new');
      this.newButton.type = 'button';
      this.newLabel = el('span', 'dg-tool-label');
      this.newButton.append(icon('restart'), this.newLabel);
      this.newButton.addEventListener('click', () => this.restart());
      tools.appendChild(this.newButton);
      if (this.options.onClose) {
        this.closeButton = el('button', 'dg-tool dg-close');
        this.closeButton.type = 'button';
        this.closeButton.appendChild(icon('close'));
        this.closeButton.addEventListener('click', () => this.options.onClose());
        tools.appendChild(this.closeButton);
      }
      header.append(brand, tools);
      return header;
    }

    buildLog() {
      this.scroller = el('div', 'dg-scroller');
      const column = el('div', 'dg-column');
      this.log = el('div', 'dg-log');
      this.log.setAttribute('role', 'log');
      this.log.setAttribute('aria-live', 'polite');
      this.log.setAttribute('aria-labelledby', this.title.id);
      this.typing = el('div', 'dg-typing');
      this.typing.setAttribute('role', 'status');
      this.typing.hidden = true;
      const dots = el('span', 'dg-dots');
      dots.setAttribute('aria-hidden', 'true');
      dots.append(el('span'), el('span'), el('span'));
      this.typingText = el('span', 'dg-typing-text');
      this.typing.append(dots, this.typingText);
      column.append(this.log, this.typing);
      this.scroller.appendChild(column);
      return this.scroller;
    }

    buildFooter() {
      const footer = el('div', 'dg-footer');
      this.error = el('div', 'dg-error');
      this.error.setAttribute('role', 'alert');
      this.error.hidden = true;
      this.errorText = el('span');
      this.error.append(icon('alert'), this.errorText);
      this.form = el('form', 'dg-form');
      this.form.noValidate = true;
      this.label = el('label', 'dg-sr');
      this.input = el('input', 'dg-input');
      this.input.id = uid();
      this.input.type = 'text';
      this.input.autocomplete = 'off';
      // The server takes 4,096 bytes by default: room for 2,000 accented
      // letters.
      this.input.maxLength = 2000;
      this.input.setAttribute('enterkeyhint', 'send');
      this.label.htmlFor = this.input.id;
      this.send = el('button', 'dg-send');
      this.send.type = 'submit';
      this.sendLabel = el('span', 'dg-send-label');
      this.send.append(icon('send'), this.sendLabel);
      this.form.append(this.label, this.input, this.send);
      this.form.addEventListener('submit', (event) => {
        event.preventDefault();
        const text = this.input.value.trim();
        if (!text || this.busy) return;
        this.input.value = '';
        this.say(text, text, true);
      });
      const inner = el('div', 'dg-column');
      inner.append(this.error, this.form);
      footer.appendChild(inner);
      return footer;
    }

    useTexts(data) {
      const t = (this.texts = data.texts || {});
      this.locale = data.locale || '';
      if (this.locale) this.frame.lang = this.locale;
      this.title.textContent = t.web_title || '';
      this.newLabel.textContent = t.web_new || '';
      this.newButton.title = t.web_new || '';
      if (this.closeButton) {
        this.closeButton.setAttribute('aria-label', t.web_close || '');
        this.closeButton.title = t.web_close || '';
      }
      this.typingText.textContent = t.web_busy || '';
      this.errorText.textContent = t.web_error || '';
      this.label.textContent = t.web_input_label || '';
      this.input.placeholder = t.web_placeholder || '';
      this.sendLabel.textContent = t.web_send || '';
      this.frame.classList.add('dg-ready');
    }

    // Continues the conversation kept by the browser, or begins one.
    // `retryMs`: how long to wait before trying again when the gateway is
    // unreachable.
    async open(retryMs = 2000) {
      const name = load().session;
      if (name) {
        this.setBusy(true);
        try {
          const session = await call('GET', sessionPath(name));
          this.session = name;
          this.hideError();
          this.redraw(session.transcript || []);
          this.setBusy(false);
          return;
        } catch (e) {
          this.setBusy(false);
          if (e.status !== 404) {
            // Unreachable for now: keep the name (a message sent meanwhile
            // goes there), and draw the conversation once it can be read.
            this.session = name;
            this.showError();
            setTimeout(() => {
              if (this.log.childElementCount === 0) this.open(Math.min(retryMs * 2, 60000));
            }, retryMs);
            return;
          }
          save({ session: '', turns: [], ticks: {} });
        }
      }
      await this.begin();
    }

    async begin() {
      this.setBusy(true);
      try {
        await this.create();
      } catch (e) {
        this.showError();
      } finally {
        this.setBusy(false);
      }
    }

    async create() {
      const body = this.locale ? { locale: this.locale } : {};
      const answer = await call('POST', 'chat/v1/sessions', body);
      this.session = answer.session.name;
      save({ session: this.session, turns: [], ticks: {} });
      this.hideError();
      this.drawTurn(answer.turn || {}, true);
    }

    // "New conversation": the old one is deleted at the server, not left
    // behind with the person's answers in it.
    async restart() {
      if (this.busy) return;
      const old = this.session;
      this.session = '';
      save({ session: '', turns: [], ticks: {} });
      this.clear();
      this.setBusy(true);
      if (old) {
        try {
          await call('DELETE', sessionPath(old));
        } catch (e) {
          // Gone already, or unreachable: it expires by itself.
        }
      }
      this.setBusy(false);
      await this.begin();
      this.focusInput();
    }

    // Sends `text`, showing `shown` as the person's words (a quick reply's
    // label). `typed`: the person wrote it, so a failure gives it back.
    async say(text, shown, typed) {
      if (this.busy) return;
      this.hideError();
      this.focusInput();
      this.setBusy(true);
      try {
        if (!this.session) await this.create();
      } catch (e) {
        this.failed(typed ? text : '');
        return;
      }
      this.removeReplies();
      const bubble = this.drawPerson(shown);
      this.scrollToEnd();
      const requestId = newRequestId();
      let turn;
      try {
        turn = await this.converse(text, requestId);
      } catch (e) {
        if (e.status === 404) {
          // The conversation expired while the page was open: say so, begin
          // again, and send the message there.
          this.drawNotice(this.texts.expired);
          try {
            this.session = '';
            await this.create();
            this.removeReplies();
            this.drawPerson(shown);
            turn = await this.converse(text, newRequestId());
          } catch (again) {
            this.failed(typed ? text : '');
            return;
          }
        } else {
          bubble.remove();
          this.drawReplies(this.replies);
          this.failed(typed ? text : '');
          return;
        }
      }
      this.setBusy(false);
      this.drawTurn(turn || {}, true);
    }

    async converse(text, requestId) {
      const path = sessionPath(this.session) + ':converse';
      const body = { text: text, requestId: requestId, omitTrace: true };
      try {
        return (await call('POST', path, body)).turn;
      } catch (e) {
        if (e.status !== 0) throw e;
        // A dropped connection: the same request id once more is safe.
        return (await call('POST', path, body)).turn;
      }
    }

    failed(text) {
      this.setBusy(false);
      this.showError();
      if (text && !this.input.value) this.input.value = text;
      this.focusInput();
    }

    setBusy(busy) {
      this.busy = busy;
      this.typing.hidden = !busy || !this.texts.web_busy;
      this.log.setAttribute('aria-busy', busy ? 'true' : 'false');
      this.frame.classList.toggle('dg-busy', busy);
      if (busy) this.scrollToEnd();
    }

    showError() {
      this.error.hidden = false;
    }

    hideError() {
      this.error.hidden = true;
    }

    focusInput() {
      if (this.options.canFocus()) this.input.focus();
    }

    clear() {
      this.replies = [];
      this.log.replaceChildren();
    }

    // --- drawing -------------------------------------------------------------

    drawPerson(text) {
      const row = el('div', 'dg-turn dg-person');
      const bubble = el('div', 'dg-bubble');
      bubble.append(el('span', 'dg-sr', (this.texts.web_you || '') + ': '));
      bubble.append(el('span', 'dg-text', text));
      row.appendChild(bubble);
      this.log.appendChild(row);
      return row;
    }

    drawNotice(text) {
      if (!text) return;
      this.log.appendChild(el('p', 'dg-notice', text));
    }

    // A bot turn: its messages as bubbles, its plan (`advice`) as a
    // checklist in place of the messages that carry an adviceId, and its
    // quick replies when `live` (the last turn).
    drawTurn(turn, live) {
      const group = el('div', 'dg-turn dg-bot');
      const avatar = el('span', 'dg-avatar');
      avatar.appendChild(icon('mark'));
      const body = el('div', 'dg-bot-body');
      group.append(avatar, body);
      const advice = turn.advice || [];
      const planned = new Set(advice.map((a) => a.id));
      let planDrawn = false;
      let first = true;
      for (const message of turn.messages || []) {
        if (message.adviceId && planned.has(message.adviceId)) {
          if (!planDrawn) body.appendChild(this.drawPlan(advice));
          planDrawn = true;
          continue;
        }
        const bubble = el('div', 'dg-bubble');
        if (first) bubble.append(el('span', 'dg-sr', (this.texts.web_bot || '') + ': '));
        first = false;
        bubble.append(el('p', 'dg-text', message.text || ''));
        const sources = this.drawSources(message.citations);
        if (sources) bubble.appendChild(sources);
        body.appendChild(bubble);
      }
      this.log.appendChild(group);
      if (live) {
        this.keep(turn);
        this.replies = turn.quickReplies || [];
        this.drawReplies(this.replies);
        this.scrollToTurn(group);
      }
      return group;
    }

    drawPlan(advice) {
      const ticks = load().ticks || {};
      const plan = el('section', 'dg-plan');
      const head = el('div', 'dg-plan-head');
      const heading = el(
        'h' + (this.options.level + 1),
        'dg-plan-title',
        this.texts.web_plan || '',
      );
      heading.id = uid();
      plan.setAttribute('aria-labelledby', heading.id);
      const count = el('span', 'dg-plan-count');
      count.setAttribute('aria-hidden', 'true');
      head.append(heading, count);
      const list = el('ol', 'dg-checklist');
      const boxes = [];
      const update = () => {
        const done = boxes.filter((b) => b.checked).length;
        count.textContent = done + '/' + boxes.length;
      };
      for (const item of advice) {
        const step = el('li', 'dg-step');
        const box = el('input', 'dg-check');
        box.type = 'checkbox';
        box.id = uid();
        box.checked = Boolean(ticks[item.id]);
        step.classList.toggle('dg-done', box.checked);
        const content = el('div', 'dg-step-body');
        const title = el('label', 'dg-step-title', item.title || '');
        title.htmlFor = box.id;
        const text = el('p', 'dg-step-text', item.text || '');
        text.id = uid();
        box.setAttribute('aria-describedby', text.id);
        content.append(title, text);
        const sources = this.drawSources(item.citations);
        if (sources) content.appendChild(sources);
        box.addEventListener('change', () => {
          step.classList.toggle('dg-done', box.checked);
          const kept = load().ticks || {};
          kept[item.id] = box.checked;
          save({ ticks: kept });
          update();
        });
        boxes.push(box);
        step.append(box, content);
        list.appendChild(step);
      }
      update();
      plan.append(head, list);
      return plan;
    }

    // The article's passages behind a message, one expandable entry per
    // section: its heading, and the quotes when opened.
    drawSources(citations) {
      if (!citations || citations.length === 0) return null;
      const sections = new Map();
      for (const c of citations) {
        const key = c.sectionId || c.sectionHeading || '';
        if (!sections.has(key)) sections.set(key, { heading: c.sectionHeading || '', quotes: [] });
        if (c.quote) sections.get(key).quotes.push(c.quote);
      }
      const box = el('div', 'dg-sources');
      const label = el('span', 'dg-sources-label', this.texts.web_sources || '');
      label.id = uid();
      box.setAttribute('role', 'group');
      box.setAttribute('aria-labelledby', label.id);
      box.appendChild(label);
      for (const section of sections.values()) {
        const details = el('details', 'dg-cite');
        const summary = el('summary', 'dg-cite-heading', section.heading);
        details.appendChild(summary);
        for (const quote of section.quotes) {
          details.appendChild(el('blockquote', 'dg-quote', quote));
        }
        box.appendChild(details);
      }
      return box;
    }

    drawReplies(replies) {
      this.removeReplies();
      if (!replies || replies.length === 0) return;
      const row = el('div', 'dg-replies');
      row.setAttribute('role', 'group');
      row.setAttribute('aria-label', this.texts.web_replies || '');
      for (const reply of replies) {
        const button = el('button', 'dg-reply', reply.label || reply.text);
        button.type = 'button';
        button.addEventListener('click', () =>
          this.say(reply.text || reply.label, reply.label || reply.text, false),
        );
        row.appendChild(button);
      }
      this.log.appendChild(row);
    }

    removeReplies() {
      for (const row of this.log.querySelectorAll('.dg-replies')) row.remove();
    }

    // A reload draws the transcript again; the turns kept by the browser
    // bring back their citations, plan and (for the last) quick replies.
    redraw(transcript) {
      this.clear();
      const kept = load().turns || [];
      let offered = [];
      transcript.forEach((entry, i) => {
        const text = entry.text || '';
        if (entry.author !== 'BOT') {
          // A chosen quick reply shows its label, as when it was chosen.
          const chosen = offered.find((r) => r.text === text);
          this.drawPerson(chosen && chosen.label ? chosen.label : text);
          return;
        }
        const last = i === transcript.length - 1;
        const rich = kept.find((k) => k.text === text);
        offered = (rich && rich.turn.quickReplies) || [];
        if (rich) {
          this.drawTurn(rich.turn, false);
          if (last) {
            this.replies = rich.turn.quickReplies || [];
            this.drawReplies(this.replies);
          }
        } else {
          // Plain text: the turn's messages are its paragraphs.
          const messages = text.split(/\n\s*\n/).map((t) => ({ text: t }));
          this.drawTurn({ messages: messages }, false);
        }
      });
      this.scrollToEnd();
    }

    keep(turn) {
      const text = (turn.messages || []).map((m) => m.text || '').join('\n\n');
      const rich =
        (turn.advice && turn.advice.length) ||
        (turn.quickReplies && turn.quickReplies.length) ||
        (turn.messages || []).some((m) => m.citations && m.citations.length);
      if (!rich) return;
      const slim = {
        messages: turn.messages || [],
        advice: turn.advice || [],
        quickReplies: turn.quickReplies || [],
      };
      const turns = (load().turns || []).filter((k) => k.text !== text);
      turns.push({ text: text, turn: slim });
      save({ turns: turns.slice(-keptTurns) });
    }

    scrollToEnd() {
      this.scroller.scrollTop = this.scroller.scrollHeight;
    }

    // A long turn (the plan) is shown from its start; a short one with
    // what came before it.
    scrollToTurn(group) {
      const view = this.scroller.getBoundingClientRect();
      const top = group.getBoundingClientRect().top - view.top + this.scroller.scrollTop;
      const end = this.scroller.scrollHeight - this.scroller.clientHeight;
      this.scroller.scrollTop = Math.max(0, Math.min(end, top - 12));
    }
  }

  // --- texts -----------------------------------------------------------------

  // The words of the chat, from the server; the last ones received when it
  // cannot be reached, so that its error can still be said.
  async function loadTexts() {
    const query = wantedLocale ? '?locale=' + encodeURIComponent(wantedLocale) : '';
    try {
      const data = await call('GET', 'chat/v1/texts' + query);
      const texts = { locale: data.locale || '', texts: data.texts || {} };
      save({ texts: texts });
      return texts;
    } catch (e) {
      const kept = load().texts;
      if (kept && kept.texts) return kept;
      throw e;
    }
  }

  // Tries again, each time later, until the server answers.
  async function textsWhenReachable() {
    for (let wait = 2000; ; wait = Math.min(wait * 2, 60000)) {
      try {
        return await loadTexts();
      } catch (e) {
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  // --- the two modes ---------------------------------------------------------

  async function startPage() {
    let root = document.getElementById('dirigo-chat');
    if (!root) {
      root = el('div');
      document.body.appendChild(root);
    }
    root.classList.add('dg-page');
    const chat = new Chat(root, { level: 1, canFocus: () => true });
    const texts = await textsWhenReachable();
    chat.useTexts(texts);
    if (texts.locale) document.documentElement.lang = texts.locale;
    if (texts.texts.web_title) document.title = texts.texts.web_title;
    chat.setBusy(false);
    await chat.open();
    // Not on a touch screen: its keyboard would cover the greeting.
    if (!window.matchMedia('(pointer: coarse)').matches) chat.focusInput();
  }

  async function startEmbed() {
    const host = el('div');
    host.setAttribute('data-dirigo-chat', '');
    const shadow = host.attachShadow({ mode: 'open' });
    const style = el('link');
    style.rel = 'stylesheet';
    style.href = new URL('dirigo-chat.css', base).href;
    const styled = new Promise((resolve) => {
      style.addEventListener('load', () => resolve(true));
      style.addEventListener('error', () => resolve(false));
    });
    const wrap = el('div', 'dg-embed');
    wrap.hidden = true;
    const launcher = el('button', 'dg-launcher');
    launcher.type = 'button';
    launcher.setAttribute('aria-expanded', 'false');
    const launcherLabel = el('span', 'dg-launcher-label');
    launcher.append(icon('chat'), launcherLabel);
    const panel = el('div', 'dg-panel');
    panel.id = uid();
    panel.hidden = true;
    panel.setAttribute('role', 'dialog');
    launcher.setAttribute('aria-controls', panel.id);
    wrap.append(launcher, panel);
    shadow.append(style, wrap);
    document.body.appendChild(host);

    let isOpen = false;
    let opened = false;
    const chat = new Chat(panel, {
      level: 2,
      canFocus: () => isOpen,
      onClose: () => close(),
    });
    panel.setAttribute('aria-labelledby', chat.title.id);
    const close = () => {
      if (!isOpen) return;
      isOpen = false;
      panel.hidden = true;
      launcher.hidden = false;
      launcher.setAttribute('aria-expanded', 'false');
      launcher.focus();
    };
    launcher.addEventListener('click', () => {
      isOpen = true;
      panel.hidden = false;
      launcher.hidden = true;
      launcher.setAttribute('aria-expanded', 'true');
      if (!opened) {
        // The conversation begins when someone opens the chat, not on every
        // view of the host page.
        opened = true;
        chat.open().then(() => chat.focusInput());
      }
      chat.focusInput();
    });
    panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.stopPropagation();
        close();
      }
    });

    const texts = await textsWhenReachable();
    chat.useTexts(texts);
    chat.setBusy(false);
    launcherLabel.textContent = texts.texts.web_open || '';
    // Unstyled, the panel would take the host page's looks: better none.
    if (await styled) wrap.hidden = false;
  }

  function start() {
    (embed ? startEmbed : startPage)();
  }
  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start);
})();
