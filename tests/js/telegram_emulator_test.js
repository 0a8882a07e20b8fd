'use strict';
// dirigo-telegram against telegram-test-api, a Bot API emulator written by
// others: a person writes, reads the greeting and the first question, presses
// a quick reply, and answers in words. What this adds to the strict stand-in
// (tests/support/telegram_standin.py) is a second, independent idea of the Bot
// API: its own update shapes (a callback's message without message_id, no
// chat_instance, dates in milliseconds in sendMessage results, extra fields),
// and getUpdates that returns at once instead of waiting.
//   node telegram_emulator_test.js --bridge=BINARY --server=HOST:PORT --work=DIR
// Prints a line per failure and "emulator checks: N passed, M failed".

const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const TelegramServer = require('telegram-test-api');

const args = Object.fromEntries(process.argv.slice(2).map((a) => {
  const [key, ...value] = a.replace(/^--/, '').split('=');
  return [key, value.join('=')];
}));
for (const name of ['bridge', 'server', 'work']) {
  if (!args[name]) {
    console.error(`usage: node ${path.basename(__filename)} --bridge=BINARY `
      + '--server=HOST:PORT --work=DIR');
    process.exit(2);
  }
}

const token = '7000000002:AAF-emulator_Test-token';
const person = {
  userId: 6200000001, chatId: 6200000001, firstName: 'Giulia', userName: 'giulia_test',
};
let passed = 0;
let failed = 0;
function check(name, ok) {
  if (ok) {
    passed += 1;
  } else {
    failed += 1;
    console.log(`FAIL: ${name}`);
  }
}
const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

// The text a person reads: MarkdownV2 escapes and style marks taken away.
function readable(text) {
  return String(text || '').replace(/\\(.)|[*_~]/g, (m, escaped) => escaped || '');
}
function buttons(message) {
  const markup = message.reply_markup;
  return markup && markup.inline_keyboard ? markup.inline_keyboard.flat() : [];
}

// The bot's messages to the person as the emulator's client reads them (its
// history keeps everything: each message is taken once), gathered until one
// carries buttons and then 0.5 s pass with nothing new.
const seen = new Set();
async function botTurn(client, timeoutMs = 15000) {
  const got = [];
  const deadline = Date.now() + timeoutMs;
  let newest = Date.now();
  while (Date.now() < deadline) {
    // eslint-disable-next-line no-await-in-loop
    for (const u of (await client.getUpdatesHistory()) || []) {
      // The bot's messages carry chat_id; the person's carry a chat.
      const m = u.message;
      if (m && m.chat_id !== undefined && String(m.chat_id) === String(person.chatId)
          && !seen.has(u.messageId)) {
        seen.add(u.messageId);
        got.push(m);
        newest = Date.now();
      }
    }
    if (got.some((m) => buttons(m).length) && Date.now() - newest >= 500) break;
    // eslint-disable-next-line no-await-in-loop
    await sleep(100);
  }
  for (const m of got) console.log(`  bot: ${readable(m.text).replace(/\n/g, '\n       ')}`);
  return got;
}

async function main() {
  // The emulator has no port 0 (it would take 9000): listen on a free port
  // and tell it where it ended up.
  const server = new TelegramServer({ host: '127.0.0.1', port: 1, storeTimeout: 120 });
  server.config.port = 0;
  await server.start();
  const port = server.server.address().port;
  server.config.apiURL = `http://127.0.0.1:${port}`;
  const calls = [];
  server.server.on('request', (req) => { calls.push(req.url.replace(/^\/bot[^/]+\//, '')); });

  const client = server.getClient(token, person);

  const tokenFile = path.join(args.work, 'emulator.token');
  fs.writeFileSync(tokenFile, `${token}\n`);
  const log = fs.openSync(path.join(args.work, 'bridge.log'), 'a');
  const bridge = spawn(args.bridge, [`--server=${args.server}`, `--token_file=${tokenFile}`,
    `--api_url=${server.config.apiURL}`, '--poll_timeout=2'], { stdio: ['ignore', log, log] });
  let exited = null;
  bridge.on('exit', (code, signal) => { exited = { code, signal }; });
  bridge.on('error', (e) => {
    exited = { error: e.message };
    console.log(`FAIL: the bridge: ${e.message}`);
  });

  try {
    await client.sendMessage(client.makeMessage('ciao'));
    let turn = await botTurn(client);
    check('the greeting arrives first',
      turn.length > 0 && readable(turn[0].text).includes('Sono Dirigo'));
    check('then the first question',
      turn.some((m) => readable(m.text).toLowerCase().includes('che studi hai fatto?')));
    check('every message in MarkdownV2',
      turn.length > 0 && turn.every((m) => m.parse_mode === 'MarkdownV2'));
    const last = turn[turn.length - 1] || {};
    const labels = buttons(last).map((b) => b.text);
    check('quick replies as inline buttons on the last message',
      labels.includes('Laurea triennale') && labels.includes('Diploma'));

    const button = buttons(last).find((b) => b.text === 'Laurea triennale');
    await client.sendCallback(client.makeCallbackQuery(button ? button.callback_data : 'none'));
    turn = await botTurn(client);
    check('a pressed button is answered (answerCallbackQuery)',
      calls.some((c) => /^answerCallbackQuery/i.test(c)));
    check('and the bot acknowledges the choice',
      turn.some((m) => readable(m.text).toLowerCase().includes('laurea triennale')));
    check('then asks the next question, with buttons',
      turn.some((m) => readable(m.text).includes('In che materia'))
      && buttons(turn[turn.length - 1] || {}).length > 0);

    await client.sendMessage(client.makeMessage('economia, faccio la segretaria da tre anni'));
    turn = await botTurn(client);
    check('an answer in words moves on to the next turn',
      turn.some((m) => readable(m.text).includes('segretaria'))
      && turn.some((m) => readable(m.text).includes('coordinato')));
    check('the bridge kept running', exited === null);
  } finally {
    bridge.kill('SIGTERM');
    // At most 10 s; the timer is cleared so that it does not keep node alive.
    let timer;
    const stopped = await new Promise((resolve) => {
      if (exited) resolve(true);
      bridge.on('exit', () => resolve(true));
      timer = setTimeout(() => resolve(false), 10000);
    });
    clearTimeout(timer);
    check('the bridge stops on SIGTERM', stopped);
    if (!stopped) bridge.kill('SIGKILL');
    await server.stop();
  }
  console.log(`emulator checks: ${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((e) => {
  console.log(`FAIL: ${e.stack || e}`);
  process.exitCode = 1;
});
