"""An SMTP server for the e-mail notification tests (aiosmtpd).

    python3 smtp.py DIR

Prints its port, then writes each message it accepts to DIR/N.eml.
"""
import itertools
import os
import socket
import sys
import time

from aiosmtpd.controller import Controller

out = sys.argv[1]
numbers = itertools.count(1)


class Keep:
    async def handle_DATA(self, server, session, envelope):
        path = os.path.join(out, "%d.eml" % next(numbers))
        with open(path + ".part", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(path + ".part", path)
        return "250 OK"


probe = socket.socket()
probe.bind(("127.0.0.1", 0))
port = probe.getsockname()[1]
probe.close()
controller = Controller(Keep(), hostname="127.0.0.1", port=port)
controller.start()
print(port, flush=True)
while True:
    time.sleep(3600)
