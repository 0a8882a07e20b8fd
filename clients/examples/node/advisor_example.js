#!/usr/bin/env node
// Talks to dirigo-server from Node.js, as an integrating app would.
//
// Install the two packages once (docs/API.md, "From Node.js"), then:
//
//     node advisor_example.js 127.0.0.1:50051 [PROTO_DIR]
//
// PROTO_DIR is the repository's proto/ folder (by default the one three
// levels above this file). The protos are loaded at run time with
// @grpc/proto-loader: there is no code to generate.
//
// It checks the service's health, holds a conversation up to the plan (one
// message retried with the same request id), reads back what the bot keeps,
// asks for advice without a session (Advise), shows how an error's
// machine-readable details are decoded, and deletes the conversation. It
// prints what it does, one line per step.
'use strict';

const path = require('node:path');
const util = require('node:util');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const address = process.argv[2] || '127.0.0.1:50051';
const protoDir = process.argv[3] || path.join(__dirname, '..', '..', '..', 'proto');

// Field names become lowerCamelCase (requestId), enums their names
// ("SERVING"), int64 strings (JavaScript numbers would lose precision), and
// unset fields their defaults, so that every field can be read without checks.
const types = protoLoader.loadSync(
  ['dirigo/v1/advisor.proto', 'grpc/health/v1/health.proto',
   'google/rpc/status.proto', 'google/rpc/error_details.proto'],
  {includeDirs: [protoDir], enums: String, longs: String, defaults: true});
const api = grpc.loadPackageDefinition(types);

// grpc-js calls take a callback; a promise reads better as a sequence of
// steps. Every call has a deadline, so that nothing waits forever.
function call(client, method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, {deadline: Date.now() + 10000},
                   (error, response) => (error ? reject(error) : resolve(response)));
  });
}

// The reason (from ErrorInfo) and the field at fault (from BadRequest) of a
// failed call. They travel in the grpc-status-details-bin trailer, a
// google.rpc.Status whose details are Any messages.
function errorDetails(error) {
  let reason = '';
  let field = '';
  for (const bytes of error.metadata ? error.metadata.get('grpc-status-details-bin') : []) {
    const status = types['google.rpc.Status'].deserialize(bytes);
    for (const any of status.details) {
      // "type.googleapis.com/google.rpc.ErrorInfo" names the packed type.
      // (Any is protobufjs's built-in copy, whose fields keep their proto
      // names: type_url, not typeUrl.)
      const typeName = any.type_url.slice(any.type_url.lastIndexOf('/') + 1);
      if (typeName === 'google.rpc.ErrorInfo') {
        reason = types[typeName].deserialize(any.value).reason;
      } else if (typeName === 'google.rpc.BadRequest') {
        const violations = types[typeName].deserialize(any.value).fieldViolations;
        if (violations.length > 0) field = violations[0].field;
      }
    }
  }
  return {code: grpc.status[error.code], reason, field};
}

// Each message text, and the first passage of the article it cites.
function printTurn(turn) {
  for (const message of turn.messages) {
    console.log('bot:', message.text);
    if (message.citations.length > 0) {
      const citation = message.citations[0];
      console.log(`     cites ${citation.sectionHeading}: «${citation.quote}»`);
    }
  }
}

async function main() {
  const advisor = new api.dirigo.v1.Advisor(address, grpc.credentials.createInsecure());
  // Health shares the advisor's connection.
  const health = new api.grpc.health.v1.Health(
    address, grpc.credentials.createInsecure(), {channelOverride: advisor.getChannel()});

  try {
    const serving = await call(health, 'Check', {service: 'dirigo.v1.Advisor'});
    console.log('health:', serving.status);

    const created = await call(advisor, 'CreateSession', {locale: 'it', channel: 'node-example'});
    const name = created.session.name;
    printTurn(created.turn);

    // The answers a person would give to the bot's questions, one per turn;
    // the last one completes the profile and the turn gives the plan.
    const answers = [
      'ho la laurea magistrale in economia',
      'lavoro da 5 anni come segretaria',
      'no',
      'risorse umane',
      'grande multinazionale',
    ];
    let turn;
    for (const [i, text] of answers.entries()) {
      // Always send a request id: after a deadline, retry with the same one.
      const request = {session: name, text, requestId: `node-${i + 1}`, omitTrace: true};
      console.log('you:', text);
      const first = await call(advisor, 'Converse', request);
      printTurn(first.turn);
      if (i === 0) {
        // A retry (after a timeout, say) with the same id gets the same turn,
        // and the message is not applied twice.
        const again = await call(advisor, 'Converse', request);
        console.log('retry gave the same turn:', util.isDeepStrictEqual(first, again));
      }
      turn = first.turn;
    }
    // The plan also comes as `advice` items, for apps that draw a checklist.
    console.log(`plan: ${turn.advice.length} steps, every step cited:`,
                turn.advice.every((item) => item.citations.length > 0));

    const session = await call(advisor, 'GetSession', {session: name});
    console.log('turns:', session.turnCount,
                'education:', session.profile.educationLevel,
                'advised:', session.advised,
                'transcript entries:', session.transcript.length);

    // Advise is stateless: an app that collected the facts itself gets the
    // plan for them, and the facts that would make it more precise.
    const advice = await call(advisor, 'Advise', {
      locale: 'it',
      profile: {
        educationLevel: 'EDUCATION_LEVEL_BACHELOR',
        studyField: 'STUDY_FIELD_BUSINESS',
        yearsExperience: 3,
        experience: ['EXPERIENCE_KIND_FRONT_OFFICE'],
        focusArea: 'FOCUS_AREA_IT',
      },
    });
    for (const item of advice.advice) {
      const citation = item.citations[0];
      console.log(`advice: ${item.title} | ${citation.sectionHeading}: «${citation.quote}»`);
    }
    console.log('missing:', advice.missingSlots.join(' '));

    // A message over 4,096 bytes (the server's default limit) is refused: the details give the reason
    // and the field at fault, for the app to act on.
    try {
      await call(advisor, 'Converse', {session: name, text: 'x'.repeat(5000)});
    } catch (error) {
      const {code, reason, field} = errorDetails(error);
      console.log('error:', code, reason, field);
    }

    // Erases everything the bot kept; the session is then unknown.
    const deleted = await call(advisor, 'DeleteSession', {session: name});
    console.log('deleted:', deleted.message);
    try {
      await call(advisor, 'GetSession', {session: name});
    } catch (error) {
      const {code, reason} = errorDetails(error);
      console.log('after delete:', code, reason);
    }
  } finally {
    // Closes the connection, so that the program can end.
    advisor.close();
  }
}

main().catch((error) => {
  console.error('failed:', error.message);
  process.exitCode = 1;
});
