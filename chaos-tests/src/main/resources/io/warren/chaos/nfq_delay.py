#!/usr/bin/python3
"""Holds every packet that iptables sends to one NFQUEUE for a fixed time, then lets it go.

The chaos harness's delay nemesis. This kernel has no sch_netem, so `tc netem delay` is not there;
instead the harness adds `-j NFQUEUE --queue-num N --queue-bypass` rules inside a node's network
namespace and runs this program in the same namespace. It speaks nfnetlink_queue over a raw netlink
socket (no libraries): bind the queue, receive each packet's id, and, once the delay has passed, give
the verdict ACCEPT. The delay is the same for every packet, so packets leave in the order they came
and one batch verdict lets out every packet that is due.

Usage: nfq_delay.py QUEUE_NUM DELAY_MS
Prints "event=delay_ready ..." once bound; on SIGTERM lets every held packet go and exits 0.
"""
import collections
import errno
import os
import select
import signal
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET = 0
NFQNL_MSG_CONFIG = 2
NFQNL_MSG_VERDICT_BATCH = 3
NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2
NFQA_CFG_CMD = 1
NFQA_CFG_PARAMS = 2
NFQA_CFG_QUEUE_MAXLEN = 3
NFQA_CFG_MASK = 4
NFQA_CFG_FLAGS = 5
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NFQA_CFG_F_FAIL_OPEN = 1
NF_ACCEPT = 1
NLMSG_ERROR = 2
NLM_F_REQUEST = 1
NLM_F_ACK = 4
SO_RCVBUFFORCE = 33
QUEUE_MAXLEN = 65536


def attribute(kind, data):
    length = 4 + len(data)
    return struct.pack("=HH", length, kind) + data + b"\0" * ((4 - length % 4) % 4)


class Queue:
    def __init__(self, number):
        self.number = number
        self.seq = 0
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
        self.sock.bind((0, 0))

    def send(self, msg_type, attributes, flags=NLM_F_REQUEST):
        self.seq += 1
        payload = struct.pack("=BB", socket.AF_UNSPEC, 0) + struct.pack(">H", self.number) + b"".join(attributes)
        header = struct.pack("=IHHII", 16 + len(payload), (NFNL_SUBSYS_QUEUE << 8) | msg_type, flags, self.seq, 0)
        self.sock.send(header + payload)

    def configure(self, attributes):
        """Sends one config message and fails loudly if the kernel refuses it."""
        self.send(NFQNL_MSG_CONFIG, attributes, NLM_F_REQUEST | NLM_F_ACK)
        reply = self.sock.recv(65536)
        length, kind = struct.unpack_from("=IH", reply, 0)
        if kind == NLMSG_ERROR:
            (code,) = struct.unpack_from("=i", reply, 16)
            if code != 0:
                raise OSError(-code, "nfqueue config refused: " + errno.errorcode.get(-code, str(-code)))

    def bind(self):
        self.configure([attribute(NFQA_CFG_CMD, struct.pack(">BxH", NFQNL_CFG_CMD_BIND, 0))])
        self.configure([attribute(NFQA_CFG_PARAMS, struct.pack(">IB", 0, NFQNL_COPY_META))])
        self.configure([attribute(NFQA_CFG_QUEUE_MAXLEN, struct.pack(">I", QUEUE_MAXLEN))])
        # A full queue lets packets through rather than dropping them: this nemesis delays, it does not lose.
        self.configure([attribute(NFQA_CFG_FLAGS, struct.pack(">I", NFQA_CFG_F_FAIL_OPEN)),
                        attribute(NFQA_CFG_MASK, struct.pack(">I", NFQA_CFG_F_FAIL_OPEN))])

    def packet_ids(self, data):
        """The ids of the queued packets in one datagram of netlink messages."""
        ids = []
        offset = 0
        while offset + 16 <= len(data):
            length, kind = struct.unpack_from("=IH", data, offset)
            if length < 16:
                break
            if kind == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                at = offset + 20  # netlink header, then nfgenmsg
                while at + 4 <= offset + length:
                    attr_length, attr_kind = struct.unpack_from("=HH", data, at)
                    if attr_length < 4:
                        break
                    if attr_kind & 0x7FFF == NFQA_PACKET_HDR:
                        ids.append(struct.unpack_from(">I", data, at + 4)[0])
                    at += (attr_length + 3) & ~3
            offset += (length + 3) & ~3
        return ids

    def accept_up_to(self, packet_id):
        self.send(NFQNL_MSG_VERDICT_BATCH, [attribute(NFQA_VERDICT_HDR, struct.pack(">II", NF_ACCEPT, packet_id))])


def main():
    number, delay_ms = int(sys.argv[1]), int(sys.argv[2])
    queue = Queue(number)
    queue.bind()
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    # select() is resumed after a handled signal (PEP 475) and would sleep on until the next packet is due;
    # the wakeup pipe makes it return at once.
    wakeup_read, wakeup_write = os.pipe()
    os.set_blocking(wakeup_write, False)
    signal.set_wakeup_fd(wakeup_write)
    held = collections.deque()  # (due, packet id), oldest first
    packets = 0
    print(f"event=delay_ready queue={number} delay_ms={delay_ms}", flush=True)
    while not stopping:
        timeout = max(0.0, held[0][0] - time.monotonic()) if held else 0.5
        try:
            readable, _, _ = select.select([queue.sock, wakeup_read], [], [], timeout)
            if queue.sock in readable:
                due = time.monotonic() + delay_ms / 1000.0
                for packet_id in queue.packet_ids(queue.sock.recv(1 << 20)):
                    held.append((due, packet_id))
                    packets += 1
        except InterruptedError:
            continue
        except OSError as e:
            if e.errno != errno.ENOBUFS:  # a lost notice; a later batch verdict still lets its packet go
                raise
        now = time.monotonic()
        last = None
        while held and held[0][0] <= now:
            last = held.popleft()[1]
        if last is not None:
            queue.accept_up_to(last)
    if held:
        queue.accept_up_to(held[-1][1])
    print(f"event=delay_done queue={number} packets={packets}", flush=True)


if __name__ == "__main__":
    main()
