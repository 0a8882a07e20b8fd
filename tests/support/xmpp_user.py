#!/usr/bin/python3
"""A person on XMPP, scripted: the user side of tests/integration/xmpp_test.sh.

Connects to an XMPP server (plaintext: the tests run it on loopback), reads
commands from stdin, one per line, and prints what it receives on stdout, one
line per line of text, so that a shell script can drive it and grep what it
got, as ii does for IRC:

  say JID TEXT      a chat message to JID
  join ROOM         joins the room (nick: --nick), again after a reconnection
  room ROOM TEXT    a message to the room
  quit              leaves and exits (so does the end of stdin)

Output:
  * online / * offline           the session started / the connection dropped
  chat FROM: TEXT                a chat message (FROM: the bare JID)
  room ROOM/NICK: TEXT           a live message in a room
  history ROOM/NICK: TEXT        a message the room replays on joining
  presence ROOM/NICK joined|left an occupant (the person included)
  error FROM: CONDITION          an error stanza

A body of several lines prints as several lines, the next ones with "|"
instead of ":" after the prefix ("chat FROM| TEXT"). The connection is retried
when the server goes away, as clients do.

  xmpp_user.py --jid=alice@localhost --password=PW --server=127.0.0.1:PORT
               [--nick=alice]
Needs only the standard library and slixmpp (Debian: python3-slixmpp).
"""

import argparse
import logging
import sys

from xml.etree import ElementTree as ET

import slixmpp
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import StanzaPath

MUC_NS = "http://jabber.org/protocol/muc"
DELAY_NS = "urn:xmpp:delay"


def emit(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class User(slixmpp.ClientXMPP):
    def __init__(self, jid, password, address, nick):
        super().__init__(jid, password)
        self.server_address = address
        self.nick = nick
        self.rooms = []
        self.quitting = False
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("disconnected", self.on_disconnected)
        self.add_event_handler("message", self.on_message)
        # Room presences reach no roster: take every presence raw.
        self.register_handler(Callback("occupants", StanzaPath("presence"), self.on_presence))

    def start(self):
        # Plaintext on loopback: never ask for STARTTLS.
        self.connect(self.server_address, force_starttls=False, disable_starttls=True)

    async def on_session_start(self, _event):
        self.send_presence()
        emit("* online")
        for room in self.rooms:
            self.send_join(room)

    def on_disconnected(self, _reason):
        emit("* offline")
        if not self.quitting:
            self.loop.call_later(0.2, self.start)

    def send_join(self, room):
        presence = self.make_presence(pto=f"{room}/{self.nick}")
        join = ET.SubElement(presence.xml, f"{{{MUC_NS}}}x")
        # Some history, so the test can see a bot that answers it.
        ET.SubElement(join, f"{{{MUC_NS}}}history", maxstanzas="20")
        presence.send()

    def on_presence(self, presence):
        if presence.xml.find(f"{{{MUC_NS}}}x") is None and \
                presence.xml.find(f"{{{MUC_NS}#user}}x") is None:
            return
        sender = presence["from"]
        if presence["type"] == "error":
            emit(f"error {sender}: {presence['error']['condition']}")
            return
        state = "left" if presence["type"] == "unavailable" else "joined"
        emit(f"presence {sender} {state}")

    def on_message(self, msg):
        sender = msg["from"]
        if msg["type"] == "error":
            emit(f"error {sender}: {msg['error']['condition']}")
            return
        body = msg["body"]
        if not body:
            return
        if msg["type"] == "groupchat":
            delayed = msg.xml.find(f"{{{DELAY_NS}}}delay") is not None
            prefix = f"{'history' if delayed else 'room'} {sender}"
        else:
            prefix = f"chat {sender.bare}"
        first, *more = body.split("\n")
        emit(f"{prefix}: {first}")
        for line in more:
            emit(f"{prefix}| {line}")

    def command(self, line):
        verb, _, rest = line.partition(" ")
        if verb == "say":
            to, _, text = rest.partition(" ")
            self.send_message(mto=to, mbody=text, mtype="chat")
        elif verb == "join":
            self.rooms.append(rest)
            if self.is_connected():
                self.send_join(rest)
        elif verb == "room":
            room, _, text = rest.partition(" ")
            self.send_message(mto=room, mbody=text, mtype="groupchat")
        elif verb == "quit":
            self.stop()
        elif verb:
            emit(f"error local: unknown command {verb}")

    def stop(self):
        if self.quitting:
            return
        self.quitting = True
        self.disconnect(wait=2.0).add_done_callback(lambda _f: self.loop.stop())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jid", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--server", required=True, help="HOST:PORT")
    parser.add_argument("--nick", help="nick in rooms (default: the JID's local part)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    host, _, port = args.server.rpartition(":")
    user = User(args.jid, args.password, (host, int(port)),
                args.nick or args.jid.split("@")[0])
    user.start()

    def read_command():
        line = sys.stdin.buffer.readline()
        if not line:
            user.loop.remove_reader(sys.stdin.fileno())
            user.stop()
            return
        user.command(line.decode("utf-8").rstrip("\r\n"))

    user.loop.add_reader(sys.stdin.fileno(), read_command)
    user.loop.run_forever()


if __name__ == "__main__":
    main()
