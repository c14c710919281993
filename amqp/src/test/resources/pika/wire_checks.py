"""Checks Warren's AMQP wire layer with Debian's python3-pika (1.2): each check prints 'OK <name>'.

Run by io.warren.amqp.client.PikaClientTest as: /usr/bin/python3 wire_checks.py PORT CHANNEL_MAX
"""
import sys

import pika
import pika.exceptions

PORT = int(sys.argv[1])
CHANNEL_MAX = int(sys.argv[2])


def params(user="guest", password="guest", vhost="/"):
    return pika.ConnectionParameters(host="127.0.0.1", port=PORT, virtual_host=vhost,
                                     credentials=pika.PlainCredentials(user, password),
                                     connection_attempts=1, socket_timeout=10)


def check_publish_get_consume():
    connection = pika.BlockingConnection(params())
    channel = connection.channel()
    queue = channel.queue_declare(queue="").method.queue
    assert queue.startswith("amq.gen-"), queue
    channel.confirm_delivery()
    for i in range(20):
        channel.basic_publish("", queue, b"msg%d" % i, pika.BasicProperties(delivery_mode=2, message_id=str(i)))
    method, properties, body = channel.basic_get(queue, auto_ack=False)
    assert body == b"msg0" and properties.message_id == "0" and properties.delivery_mode == 2, (body, properties)
    channel.basic_ack(method.delivery_tag)
    received = []
    for method, properties, body in channel.consume(queue, inactivity_timeout=5):
        if method is None:
            break
        received.append(body)
        channel.basic_ack(method.delivery_tag)
        if len(received) == 19:
            break
    assert received == [b"msg%d" % i for i in range(1, 20)], received
    channel.cancel()
    connection.close()
    print("OK publish-get-consume")


def check_channel_error():
    connection = pika.BlockingConnection(params())
    channel = connection.channel()
    try:
        channel.queue_declare(queue="missing", passive=True)
        raise AssertionError("passive declare of a missing queue succeeded")
    except pika.exceptions.ChannelClosedByBroker as e:
        assert e.reply_code == 404, e
    assert connection.is_open
    connection.channel().queue_declare(queue="")
    connection.close()
    print("OK channel-error-404")


def check_wrong_password():
    try:
        pika.BlockingConnection(params(password="wrong"))
        raise AssertionError("a wrong password was accepted")
    except pika.exceptions.AMQPConnectionError as e:
        text = repr(e)
        assert "ACCESS_REFUSED" in text or "403" in text or "Authentication" in type(e).__name__, text
    print("OK wrong-password")


def check_unknown_vhost():
    try:
        pika.BlockingConnection(params(vhost="/missing"))
        raise AssertionError("an unknown vhost was accepted")
    except pika.exceptions.AMQPConnectionError as e:
        text = repr(e)
        assert "530" in text or "NOT_ALLOWED" in text or "AccessDenied" in type(e).__name__, text
    print("OK unknown-vhost")


def check_channel_max():
    connection = pika.BlockingConnection(params())
    channels = [connection.channel() for _ in range(CHANNEL_MAX)]
    try:
        connection.channel()
        raise AssertionError("a channel beyond channel_max was opened")
    except pika.exceptions.NoFreeChannels:
        pass
    for channel in channels:
        channel.close()
    connection.close()
    print("OK channel-max")


check_publish_get_consume()
check_channel_error()
check_wrong_password()
check_unknown_vhost()
check_channel_max()
