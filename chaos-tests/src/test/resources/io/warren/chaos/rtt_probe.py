"""An echo server and client on 127.0.0.1:PORT in one process, for PacketDelayIT.

Prints "rtt_ms=X" for each of COUNT round trips of one byte, then "sent" after sending one more byte,
and "reply_ms=X" when its echo comes back (within 60 s), or "no_reply".
"""
import socket
import sys
import threading
import time

port, count = int(sys.argv[1]), int(sys.argv[2])
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen()


def echo():
    conn, _ = server.accept()
    while True:
        data = conn.recv(64)
        if not data:
            return
        conn.sendall(data)


threading.Thread(target=echo, daemon=True).start()
client = socket.create_connection(("127.0.0.1", port), timeout=60)
client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for _ in range(count):
    start = time.monotonic()
    client.sendall(b"x")
    client.recv(1)
    print("rtt_ms=%.1f" % ((time.monotonic() - start) * 1000), flush=True)
start = time.monotonic()
client.sendall(b"y")
print("sent", flush=True)
try:
    client.recv(1)
    print("reply_ms=%.1f" % ((time.monotonic() - start) * 1000), flush=True)
except socket.timeout:
    print("no_reply", flush=True)
