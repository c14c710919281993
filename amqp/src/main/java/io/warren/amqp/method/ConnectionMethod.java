package io.warren.amqp.method;

import io.warren.amqp.codec.Arguments;
import io.warren.amqp.codec.FieldTable;
import io.warren.amqp.codec.LongString;
import io.warren.amqp.codec.MethodArgumentsReader;
import io.warren.amqp.codec.MethodArgumentsWriter;
import java.util.Objects;

/**
 * The methods of AMQP 0-9-1 class connection (class id 10), one immutable record each, with RabbitMQ's
 * extensions. Reserved fields are not components: they are written with their spec value and skipped
 * on read. Built by {@link MethodCodec}; the ids are checked against the RabbitMQ Java client's
 * generated constants by {@code MethodCodecRoundTripTest}.
 */
public sealed interface ConnectionMethod extends Method permits ConnectionMethod.Start, ConnectionMethod.StartOk, ConnectionMethod.Secure, ConnectionMethod.SecureOk, ConnectionMethod.Tune, ConnectionMethod.TuneOk, ConnectionMethod.Open, ConnectionMethod.OpenOk, ConnectionMethod.Close, ConnectionMethod.CloseOk, ConnectionMethod.Blocked, ConnectionMethod.Unblocked, ConnectionMethod.UpdateSecret, ConnectionMethod.UpdateSecretOk {

    int CLASS_ID = 10;

    @Override
    default int classId() {
        return CLASS_ID;
    }

    /** Decodes the arguments of method {@code methodId} of this class, or returns null when it is unknown. */
    static ConnectionMethod read(int methodId, MethodArgumentsReader in) {
        return switch (methodId) {
            case Start.METHOD_ID -> Start.read(in);
            case StartOk.METHOD_ID -> StartOk.read(in);
            case Secure.METHOD_ID -> Secure.read(in);
            case SecureOk.METHOD_ID -> SecureOk.read(in);
            case Tune.METHOD_ID -> Tune.read(in);
            case TuneOk.METHOD_ID -> TuneOk.read(in);
            case Open.METHOD_ID -> Open.read(in);
            case OpenOk.METHOD_ID -> OpenOk.read(in);
            case Close.METHOD_ID -> Close.read(in);
            case CloseOk.METHOD_ID -> CloseOk.read(in);
            case Blocked.METHOD_ID -> Blocked.read(in);
            case Unblocked.METHOD_ID -> Unblocked.read(in);
            case UpdateSecret.METHOD_ID -> UpdateSecret.read(in);
            case UpdateSecretOk.METHOD_ID -> UpdateSecretOk.read(in);
            default -> null;
        };
    }

    /** connection.start (10, 10). */
    record Start(int versionMajor, int versionMinor, FieldTable serverProperties, LongString mechanisms, LongString locales) implements ConnectionMethod {
        public static final int METHOD_ID = 10;
        public Start {
            Arguments.octet("versionMajor", versionMajor);
            Arguments.octet("versionMinor", versionMinor);
            Objects.requireNonNull(serverProperties, "serverProperties");
            Objects.requireNonNull(mechanisms, "mechanisms");
            Objects.requireNonNull(locales, "locales");
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "connection.start"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeOctet(versionMajor);
            out.writeOctet(versionMinor);
            out.writeTable(serverProperties);
            out.writeLongString(mechanisms);
            out.writeLongString(locales);
        }

        static Start read(MethodArgumentsReader in) {
            int versionMajor = in.readOctet();
            int versionMinor = in.readOctet();
            FieldTable serverProperties = in.readTable();
            LongString mechanisms = in.readLongString();
            LongString locales = in.readLongString();
            return new Start(versionMajor, versionMinor, serverProperties, mechanisms, locales);
        }
    }

    /** connection.start-ok (10, 11). */
    record StartOk(FieldTable clientProperties, String mechanism, LongString response, String locale) implements ConnectionMethod {
        public static final int METHOD_ID = 11;
        public StartOk {
            Objects.requireNonNull(clientProperties, "clientProperties");
            Objects.requireNonNull(mechanism, "mechanism");
            Arguments.shortString("mechanism", mechanism);
            Objects.requireNonNull(response, "response");
            Objects.requireNonNull(locale, "locale");
            Arguments.shortString("locale", locale);
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "connection.start-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeTable(clientProperties);
            out.writeShortString(mechanism);
            out.writeLongString(response);
            out.writeShortString(locale);
        }

        static StartOk read(MethodArgumentsReader in) {
            FieldTable clientProperties = in.readTable();
            String mechanism = in.readShortString();
            LongString response = in.readLongString();
            String locale = in.readShortString();
            return new StartOk(clientProperties, mechanism, response, locale);
        }
    }

    /** connection.secure (10, 20). */
    record Secure(LongString challenge) implements ConnectionMethod {
        public static final int METHOD_ID = 20;
        public Secure {
            Objects.requireNonNull(challenge, "challenge");
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "connection.secure"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeLongString(challenge);
        }

        static Secure read(MethodArgumentsReader in) {
            LongString challenge = in.readLongString();
            return new Secure(challenge);
        }
    }

    /** connection.secure-ok (10, 21). */
    record SecureOk(LongString response) implements ConnectionMethod {
        public static final int METHOD_ID = 21;
        public SecureOk {
            Objects.requireNonNull(response, "response");
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "connection.secure-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeLongString(response);
        }

        static SecureOk read(MethodArgumentsReader in) {
            LongString response = in.readLongString();
            return new SecureOk(response);
        }
    }

    /** connection.tune (10, 30). */
    record Tune(int channelMax, long frameMax, int heartbeat) implements ConnectionMethod {
        public static final int METHOD_ID = 30;
        public Tune {
            Arguments.unsignedShort("channelMax", channelMax);
            Arguments.unsignedInt("frameMax", frameMax);
            Arguments.unsignedShort("heartbeat", heartbeat);
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "connection.tune"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShort(channelMax);
            out.writeLong(frameMax);
            out.writeShort(heartbeat);
        }

        static Tune read(MethodArgumentsReader in) {
            int channelMax = in.readShort();
            long frameMax = in.readLong();
            int heartbeat = in.readShort();
            return new Tune(channelMax, frameMax, heartbeat);
        }
    }

    /** connection.tune-ok (10, 31). */
    record TuneOk(int channelMax, long frameMax, int heartbeat) implements ConnectionMethod {
        public static final int METHOD_ID = 31;
        public TuneOk {
            Arguments.unsignedShort("channelMax", channelMax);
            Arguments.unsignedInt("frameMax", frameMax);
            Arguments.unsignedShort("heartbeat", heartbeat);
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "connection.tune-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShort(channelMax);
            out.writeLong(frameMax);
            out.writeShort(heartbeat);
        }

        static TuneOk read(MethodArgumentsReader in) {
            int channelMax = in.readShort();
            long frameMax = in.readLong();
            int heartbeat = in.readShort();
            return new TuneOk(channelMax, frameMax, heartbeat);
        }
    }

    /** connection.open (10, 40). */
    record Open(String virtualHost) implements ConnectionMethod {
        public static final int METHOD_ID = 40;
        public Open {
            Objects.requireNonNull(virtualHost, "virtualHost");
            Arguments.shortString("virtualHost", virtualHost);
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "connection.open"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShortString(virtualHost);
            out.writeShortString("");
            out.writeBit(false);
        }

        static Open read(MethodArgumentsReader in) {
            String virtualHost = in.readShortString();
            in.readShortString(); // reserved
            in.readBit(); // reserved
            return new Open(virtualHost);
        }
    }

    /** connection.open-ok (10, 41). */
    record OpenOk() implements ConnectionMethod {
        public static final int METHOD_ID = 41;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "connection.open-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShortString("");
        }

        static OpenOk read(MethodArgumentsReader in) {
            in.readShortString(); // reserved
            return new OpenOk();
        }
    }

    /** connection.close (10, 50). */
    record Close(int replyCode, String replyText, int failingClassId, int failingMethodId) implements ConnectionMethod {
        public static final int METHOD_ID = 50;
        public Close {
            Arguments.unsignedShort("replyCode", replyCode);
            Objects.requireNonNull(replyText, "replyText");
            Arguments.shortString("replyText", replyText);
            Arguments.unsignedShort("failingClassId", failingClassId);
            Arguments.unsignedShort("failingMethodId", failingMethodId);
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "connection.close"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShort(replyCode);
            out.writeShortString(replyText);
            out.writeShort(failingClassId);
            out.writeShort(failingMethodId);
        }

        static Close read(MethodArgumentsReader in) {
            int replyCode = in.readShort();
            String replyText = in.readShortString();
            int failingClassId = in.readShort();
            int failingMethodId = in.readShort();
            return new Close(replyCode, replyText, failingClassId, failingMethodId);
        }
    }

    /** connection.close-ok (10, 51). */
    record CloseOk() implements ConnectionMethod {
        public static final int METHOD_ID = 51;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "connection.close-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            // no arguments
        }

        static CloseOk read(MethodArgumentsReader in) {
            return new CloseOk();
        }
    }

    /** connection.blocked (10, 60). */
    record Blocked(String reason) implements ConnectionMethod {
        public static final int METHOD_ID = 60;
        public Blocked {
            Objects.requireNonNull(reason, "reason");
            Arguments.shortString("reason", reason);
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "connection.blocked"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShortString(reason);
        }

        static Blocked read(MethodArgumentsReader in) {
            String reason = in.readShortString();
            return new Blocked(reason);
        }
    }

    /** connection.unblocked (10, 61). */
    record Unblocked() implements ConnectionMethod {
        public static final int METHOD_ID = 61;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "connection.unblocked"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            // no arguments
        }

        static Unblocked read(MethodArgumentsReader in) {
            return new Unblocked();
        }
    }

    /** connection.update-secret (10, 70). */
    record UpdateSecret(LongString newSecret, String reason) implements ConnectionMethod {
        public static final int METHOD_ID = 70;
        public UpdateSecret {
            Objects.requireNonNull(newSecret, "newSecret");
            Objects.requireNonNull(reason, "reason");
            Arguments.shortString("reason", reason);
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "connection.update-secret"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeLongString(newSecret);
            out.writeShortString(reason);
        }

        static UpdateSecret read(MethodArgumentsReader in) {
            LongString newSecret = in.readLongString();
            String reason = in.readShortString();
            return new UpdateSecret(newSecret, reason);
        }
    }

    /** connection.update-secret-ok (10, 71). */
    record UpdateSecretOk() implements ConnectionMethod {
        public static final int METHOD_ID = 71;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "connection.update-secret-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            // no arguments
        }

        static UpdateSecretOk read(MethodArgumentsReader in) {
            return new UpdateSecretOk();
        }
    }
}
