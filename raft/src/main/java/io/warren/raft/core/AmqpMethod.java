package io.warren.raft.core;

import io.warren.amqp.method.BasicMethod;
import io.warren.amqp.method.ChannelMethod;
import io.warren.amqp.method.ConnectionMethod;
import io.warren.amqp.method.ExchangeMethod;
import io.warren.amqp.method.QueueMethod;
import io.warren.amqp.method.TxMethod;

/**
 * The AMQP (class id, method id) a refusal names, so the client's error says which method failed. The numbers
 * are the wire module's, where they are defined once.
 */
enum AmqpMethod {
    CONNECTION_OPEN(ConnectionMethod.CLASS_ID, ConnectionMethod.Open.METHOD_ID),
    CHANNEL_CLOSE(ChannelMethod.CLASS_ID, ChannelMethod.Close.METHOD_ID),
    EXCHANGE_DECLARE(ExchangeMethod.CLASS_ID, ExchangeMethod.Declare.METHOD_ID),
    EXCHANGE_DELETE(ExchangeMethod.CLASS_ID, ExchangeMethod.Delete.METHOD_ID),
    EXCHANGE_BIND(ExchangeMethod.CLASS_ID, ExchangeMethod.Bind.METHOD_ID),
    EXCHANGE_UNBIND(ExchangeMethod.CLASS_ID, ExchangeMethod.Unbind.METHOD_ID),
    QUEUE_DECLARE(QueueMethod.CLASS_ID, QueueMethod.Declare.METHOD_ID),
    QUEUE_BIND(QueueMethod.CLASS_ID, QueueMethod.Bind.METHOD_ID),
    QUEUE_PURGE(QueueMethod.CLASS_ID, QueueMethod.Purge.METHOD_ID),
    QUEUE_DELETE(QueueMethod.CLASS_ID, QueueMethod.Delete.METHOD_ID),
    QUEUE_UNBIND(QueueMethod.CLASS_ID, QueueMethod.Unbind.METHOD_ID),
    BASIC_QOS(BasicMethod.CLASS_ID, BasicMethod.Qos.METHOD_ID),
    BASIC_CONSUME(BasicMethod.CLASS_ID, BasicMethod.Consume.METHOD_ID),
    BASIC_CANCEL(BasicMethod.CLASS_ID, BasicMethod.Cancel.METHOD_ID),
    BASIC_PUBLISH(BasicMethod.CLASS_ID, BasicMethod.Publish.METHOD_ID),
    BASIC_GET(BasicMethod.CLASS_ID, BasicMethod.Get.METHOD_ID),
    BASIC_ACK(BasicMethod.CLASS_ID, BasicMethod.Ack.METHOD_ID),
    BASIC_REJECT(BasicMethod.CLASS_ID, BasicMethod.Reject.METHOD_ID),
    BASIC_RECOVER(BasicMethod.CLASS_ID, BasicMethod.Recover.METHOD_ID),
    BASIC_NACK(BasicMethod.CLASS_ID, BasicMethod.Nack.METHOD_ID),
    TX_COMMIT(TxMethod.CLASS_ID, TxMethod.Commit.METHOD_ID),
    TX_ROLLBACK(TxMethod.CLASS_ID, TxMethod.Rollback.METHOD_ID),
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
