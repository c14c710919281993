package io.warren.raft.core;

/** The AMQP (class id, method id) a refusal names, so the client's error says which method failed. */
enum AmqpMethod {
    CONNECTION_OPEN(10, 40),
    CHANNEL_CLOSE(20, 40),
    EXCHANGE_DECLARE(40, 10),
    EXCHANGE_DELETE(40, 20),
    EXCHANGE_BIND(40, 30),
    EXCHANGE_UNBIND(40, 40),
    QUEUE_DECLARE(50, 10),
    QUEUE_BIND(50, 20),
    QUEUE_PURGE(50, 30),
    QUEUE_DELETE(50, 40),
    QUEUE_UNBIND(50, 50),
    BASIC_QOS(60, 10),
    BASIC_CONSUME(60, 20),
    BASIC_CANCEL(60, 30),
    BASIC_PUBLISH(60, 40),
    BASIC_GET(60, 70),
    BASIC_ACK(60, 80),
    BASIC_REJECT(60, 90),
    BASIC_RECOVER(60, 110),
    BASIC_NACK(60, 120),
    TX_COMMIT(90, 20),
    TX_ROLLBACK(90, 30),
    NONE(0, 0);

    final int classId;
    final int methodId;

    AmqpMethod(int classId, int methodId) {
        this.classId = classId;
        this.methodId = methodId;
    }

    Refused refuse(int code, String text) {
        return new Refused(code, text, classId, methodId);
    }
}
