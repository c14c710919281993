package io.warren.amqp.method;

import io.warren.amqp.codec.Arguments;
import io.warren.amqp.codec.FieldTable;
import io.warren.amqp.codec.LongString;
import io.warren.amqp.codec.MethodArgumentsReader;
import io.warren.amqp.codec.MethodArgumentsWriter;

/**
 * The methods of AMQP 0-9-1 class tx (class id 90), one immutable record each, with RabbitMQ's
 * extensions. Reserved fields are not components: they are written with their spec value and skipped
 * on read. Built by {@link MethodCodec}; the ids are checked against the RabbitMQ Java client's
 * generated constants by {@code MethodCodecRoundTripTest}.
 */
public sealed interface TxMethod extends Method permits TxMethod.Select, TxMethod.SelectOk, TxMethod.Commit, TxMethod.CommitOk, TxMethod.Rollback, TxMethod.RollbackOk {

    int CLASS_ID = 90;

    @Override
    default int classId() {
        return CLASS_ID;
    }

    /** Decodes the arguments of method {@code methodId} of this class, or returns null when it is unknown. */
    static TxMethod read(int methodId, MethodArgumentsReader in) {
        return switch (methodId) {
            case Select.METHOD_ID -> Select.read(in);
            case SelectOk.METHOD_ID -> SelectOk.read(in);
            case Commit.METHOD_ID -> Commit.read(in);
            case CommitOk.METHOD_ID -> CommitOk.read(in);
            case Rollback.METHOD_ID -> Rollback.read(in);
            case RollbackOk.METHOD_ID -> RollbackOk.read(in);
            default -> null;
        };
    }

    /** tx.select (90, 10). */
    record Select() implements TxMethod {
        public static final int METHOD_ID = 10;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "tx.select"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            // no arguments
        }

        static Select read(MethodArgumentsReader in) {
            return new Select();
        }
    }

    /** tx.select-ok (90, 11). */
    record SelectOk() implements TxMethod {
        public static final int METHOD_ID = 11;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "tx.select-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            // no arguments
        }

        static SelectOk read(MethodArgumentsReader in) {
            return new SelectOk();
        }
    }

    /** tx.commit (90, 20). */
    record Commit() implements TxMethod {
        public static final int METHOD_ID = 20;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "tx.commit"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            // no arguments
        }

        static Commit read(MethodArgumentsReader in) {
            return new Commit();
        }
    }

    /** tx.commit-ok (90, 21). */
    record CommitOk() implements TxMethod {
        public static final int METHOD_ID = 21;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "tx.commit-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            // no arguments
        }

        static CommitOk read(MethodArgumentsReader in) {
            return new CommitOk();
        }
    }

    /** tx.rollback (90, 30). */
    record Rollback() implements TxMethod {
        public static final int METHOD_ID = 30;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "tx.rollback"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            // no arguments
        }

        static Rollback read(MethodArgumentsReader in) {
            return new Rollback();
        }
    }

    /** tx.rollback-ok (90, 31). */
    record RollbackOk() implements TxMethod {
        public static final int METHOD_ID = 31;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "tx.rollback-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            // no arguments
        }

        static RollbackOk read(MethodArgumentsReader in) {
            return new RollbackOk();
        }
    }
}
