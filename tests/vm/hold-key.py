#!/usr/bin/env python3
"""tests/vm/hold-key.py QMP_SOCKET CONSOLE REGEX [KEY]: hold KEY (a QEMU qcode, default shift)
on the guest's keyboard from QEMU's start until a line of the file CONSOLE matches REGEX
(Python's re), then release it. Ends when QEMU does.

A key pressed once is lost when the firmware resets the keyboard during POST, and QEMU repeats
no key: so the press is sent again every 50 ms, each one a make code that sets the BIOS's
modifier flags, until the event the test waits for. A boot loader that reads those flags
(GRUB's keystatus) then sees the key held whenever it looks. Exit status: 0 when REGEX was
seen, 1 when QEMU ended first."""
import json
import re
import socket
import sys
import time


def connect(path):
    s = socket.socket(socket.AF_UNIX)
    for _ in range(3000):  # QEMU creates the socket as it starts: up to 30 s
        try:
            s.connect(path)
            return s.makefile('rw')
        except OSError:
            time.sleep(0.01)
    raise OSError('no QMP socket at %s' % path)


def ask(qmp, command, arguments=None):
    msg = {'execute': command}
    if arguments is not None:
        msg['arguments'] = arguments
    qmp.write(json.dumps(msg) + '\n')
    qmp.flush()
    while True:  # events (e.g. a reset) may come before the answer
        line = qmp.readline()
        if not line:
            raise EOFError
        reply = json.loads(line)
        if 'return' in reply or 'error' in reply:
            return reply


def key(qmp, name, down):
    event = {'type': 'key', 'data': {'down': down, 'key': {'type': 'qcode', 'data': name}}}
    return ask(qmp, 'input-send-event', {'events': [event]})


class Console:
    """The console file as it grows: each call reads only what came since the last one."""

    def __init__(self, path, regex):
        self.path, self.regex, self.offset, self.partial = path, regex, 0, ''

    def seen(self):
        try:
            with open(self.path, errors='replace') as f:
                f.seek(self.offset)
                text = self.partial + f.read()
                self.offset = f.tell()
        except FileNotFoundError:
            return False
        lines = text.split('\n')
        self.partial = lines.pop()  # a line not ended yet: read again with its end
        return any(self.regex.search(line) for line in lines + [self.partial])


def main():
    if len(sys.argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    sock, console, regex = sys.argv[1], sys.argv[2], re.compile(sys.argv[3])
    name = sys.argv[4] if len(sys.argv) == 5 else 'shift'
    try:
        qmp = connect(sock)
        qmp.readline()  # the greeting
        ask(qmp, 'qmp_capabilities')
        console = Console(console, regex)
        while not console.seen():
            if 'error' in key(qmp, name, True):
                print('hold-key: QEMU refused the key %s' % name, file=sys.stderr)
                return 2
            time.sleep(0.05)
        key(qmp, name, False)
        return 0
    except (OSError, EOFError, ValueError):
        return 1  # QEMU ended (or never started): nothing left to hold


if __name__ == '__main__':
    sys.exit(main())
