"""A chat written against docs/protocol.md with python-socketio, a Socket.IO client nobody here
wrote (Debian's python3-socketio). Prints one JSON object per step for python-client.test.ts to
check; exits non-zero only when the client itself cannot run."""
import json
import sys
import threading
import uuid

import socketio

URL = sys.argv[1]
TIMEOUT = 10
results = {}


def client():
    return socketio.Client(reconnection=False)


def call(sio, event, payload):
    return sio.call(event, payload, timeout=TIMEOUT)


alice, bob = client(), client()
heard = []
heard_event = threading.Event()


@bob.on('message')
def on_message(message, *recovery_offset):
    # docs/protocol.md, Server events: a room's events may carry Socket.IO's recovery offset.
    heard.append(message)
    heard_event.set()


alice.connect(URL, transports=['websocket'])
bob.connect(URL, transports=['websocket'])

results['start'] = call(alice, 'session:start', {'nickname': 'py-alice', 'join': ['lobby']})
results['bob_start'] = call(bob, 'session:start', {'nickname': 'py-bob'})
results['bob_join'] = call(bob, 'room:join', {'room': 'lobby'})
third = client()
third.connect(URL, transports=['websocket'])
results['taken'] = call(third, 'session:start', {'nickname': 'PY-ALICE'})
third.disconnect()

text = '<img src=x onerror=alert(1)> hello from Python'
results['send'] = call(alice, 'message:send', {'room': 'lobby', 'text': text, 'clientId': str(uuid.uuid4())})
heard_event.wait(TIMEOUT)
results['heard'] = heard
results['malformed'] = call(alice, 'message:send', {'room': 'lobby', 'text': 42})
results['unknown_room'] = call(alice, 'history:fetch', {'room': 'not-joined'})
results['history'] = call(bob, 'history:fetch', {'room': 'lobby', 'limit': 10})

token = results['start'].get('session')
alice.disconnect()
again = client()
again.connect(URL, transports=['websocket'])
results['resume'] = call(again, 'session:start', {'nickname': 'py-alice', 'session': token})
again.disconnect()
bob.disconnect()

print(json.dumps(results))
