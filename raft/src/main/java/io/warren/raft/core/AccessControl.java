package io.warren.raft.core;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Users and their per-vhost permissions, and the checks RabbitMQ makes: a resource name must match the
 * user's pattern for the kind of access (an unanchored search, as Erlang's re:run does); an empty
 * pattern grants nothing. The default exchange is checked under the name "amq.default". Topic permissions
 * narrow the routing keys a user publishes and binds with on a topic exchange, once any is set for that
 * user, vhost and exchange (RabbitMQ's rabbit_auth_backend_internal: none set restricts nothing; an empty
 * pattern allows only the empty key).
 */
final class AccessControl {
    enum Access { CONFIGURE, WRITE, READ }

    final TreeMap<String, UserRecord> users = new TreeMap<>();
    /** By "user\0vhost". */
    final TreeMap<String, Permission> permissions = new TreeMap<>();
    /** By "user\0vhost\0exchange". */
    final TreeMap<String, TopicPermission> topicPermissions = new TreeMap<>();
    /** A cache only: never iterated, so its order cannot leak into state. */
    private final Map<String, Pattern> compiled = new HashMap<>();

    static String key(String user, String vhost) {
        return user + '\0' + vhost;
    }

    static String topicKey(String user, String vhost, String exchange) {
        return key(user, vhost) + '\0' + exchange;
    }

    Permission permission(String user, String vhost) {
        return permissions.get(key(user, vhost));
    }

    /** A check on a channel's command: none on a trusted connection (warrenctl, acting as the node). */
    void check(Session session, String vhost, Access access, String kind, String name, AmqpMethod method) {
        if (!session.connection().trusted()) {
            check(session.user(), vhost, access, kind, name, method);
        }
    }

    void checkTopic(Session session, String vhost, String exchange, String routingKey, Access access,
            AmqpMethod method) {
        if (!session.connection().trusted()) {
            checkTopic(session.user(), vhost, exchange, routingKey, access, method);
        }
    }

    void check(String user, String vhost, Access access, String kind, String name, AmqpMethod method) {
        Permission permission = permission(user, vhost);
        String resource = kind.equals("exchange") && name.isEmpty() ? "amq.default" : name;
        if (permission == null || !permits(patternOf(permission, access), resource)) {
            throw method.refuse(ReplyCodes.ACCESS_REFUSED, "access to " + kind + " '" + resource + "' in vhost '"
                    + vhost + "' refused for user '" + user + "'");
        }
    }

    /** On a topic exchange: the routing key a publish (WRITE) or a binding (READ) uses. */
    void checkTopic(String user, String vhost, String exchange, String routingKey, Access access,
            AmqpMethod method) {
        TopicPermission permission = topicPermissions.get(topicKey(user, vhost, exchange));
        if (permission == null) {
            return;
        }
        String pattern = access == Access.WRITE ? permission.write() : permission.read();
        if (!permits(expand(pattern.isEmpty() ? "^$" : pattern, user, vhost), routingKey)) {
            throw method.refuse(ReplyCodes.ACCESS_REFUSED, "access to topic '" + routingKey + "' in exchange '"
                    + exchange + "' in vhost '" + vhost + "' refused for user '" + user + "'");
        }
    }

    /** RabbitMQ puts the names in as they are, not quoted. */
    static String expand(String pattern, String user, String vhost) {
        return pattern.replace("{username}", user).replace("{vhost}", vhost);
    }

    private static String patternOf(Permission permission, Access access) {
        return switch (access) {
            case CONFIGURE -> permission.configure();
            case WRITE -> permission.write();
            case READ -> permission.read();
        };
    }

    private boolean permits(String regex, String resource) {
        if (regex.isEmpty()) {
            return false;
        }
        Pattern pattern = compiled.computeIfAbsent(regex, AccessControl::compileOrNothing);
        return pattern != null && pattern.matcher(resource).find();
    }

    /** A pattern Java cannot compile grants nothing; admin commands validate patterns before the log. */
    private static Pattern compileOrNothing(String regex) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            return null;
        }
    }

    static boolean isValidPattern(String regex) {
        return regex.isEmpty() || compileOrNothing(regex) != null;
    }
}
