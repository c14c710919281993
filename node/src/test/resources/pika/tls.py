# pika over TLS: python3 tls.py PORT CA_FILE [CERT KEY]
# Verifies the server's certificate against CA_FILE and its name (localhost); with CERT and KEY it
# presents that client certificate and logs in with SASL EXTERNAL, else as guest with PLAIN. Publishes
# with confirms, gets the messages back, prints OK.
import ssl
import sys

import pika

port, ca = int(sys.argv[1]), sys.argv[2]
context = ssl.create_default_context(cafile=ca)
external = len(sys.argv) > 4
if external:
    context.load_cert_chain(sys.argv[3], sys.argv[4])
credentials = pika.credentials.ExternalCredentials() if external else pika.PlainCredentials("guest", "guest")
params = pika.ConnectionParameters(host="localhost", port=port, credentials=credentials,
                                   ssl_options=pika.SSLOptions(context, "localhost"))
connection = pika.BlockingConnection(params)
channel = connection.channel()
channel.confirm_delivery()
queue = channel.queue_declare("", exclusive=True).method.queue
sent = [("tls message %d" % i).encode() for i in range(50)]
for body in sent:
    channel.basic_publish("", queue, body, mandatory=True)
got = []
while len(got) < len(sent):
    method, properties, body = channel.basic_get(queue, auto_ack=True)
    if method is None:
        raise SystemExit("queue ran dry after %d of %d" % (len(got), len(sent)))
    got.append(body)
if got != sent:
    raise SystemExit("got %r" % got[:3])
connection.close()
print("OK")
