package io.warren.node;

import io.warren.amqp.tls.TlsConfigException;
import io.warren.amqp.tls.TlsMaterial;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * {@code warrenctl}: the admin CLI, with rabbitmqctl's subcommand names and arguments. It talks to a
 * node's admin API ({@code -n host:port}, default 127.0.0.1:15672) and prints what the node answers.
 * Exit code 0 on success, 1 when the node refused, 2 for bad usage, 3 when no node answered.
 */
public final class WarrenCtl {
    private static final String USAGE = """
            usage: warrenctl [-n host:port] [-p vhost] [-q] [-t seconds] [--cacert ca.pem [--cert c.pem --key c.key]]
                             <command> [args]
              (-t: how long a membership change is waited for, default 60; --cacert: the node's admin API is
               HTTPS (admin.tls) with a certificate from this authority; --cert/--key: the client certificate)
              list_queues [column ...]        name messages_ready messages_unacknowledged messages consumers
                                              durable auto_delete exclusive arguments policy type leader
                                              members online message_bytes
              list_bindings [column ...]      source_name source_kind destination_name destination_kind
                                              routing_key arguments
              list_exchanges | list_connections | list_users | list_vhosts | list_permissions | status
              add_user <name> <password> | change_password <name> <password> | delete_user <name>
              set_user_tags <name> [tag ...]
              add_vhost <name> | delete_vhost <name>
              set_permissions <user> <configure> <write> <read> | clear_permissions <user>
              set_topic_permissions <user> <exchange> <write> <read>   routing keys on a topic exchange
              clear_topic_permissions <user> [exchange] | list_topic_permissions
              list_user_topic_permissions <user>
              set_policy [--priority N] [--apply-to queues|exchanges|all] <name> <pattern> <definition JSON>
              clear_policy <name> | list_policies
              set_operator_policy [--priority N] [--apply-to ...] <name> <pattern> <definition JSON>
              clear_operator_policy <name> | list_operator_policies
              cluster_status                  every node: member, leader, epoch, running or down
              add_cluster_node <node> <host:port>   add a node started with --join true as a voting member
              forget_cluster_node <node>      remove a member (stop it first, or it stops serving)
              transfer_leadership <node>      make another member the Raft leader
              set_vm_memory_high_watermark <fraction>   this node's memory alarm threshold (of the heap)
              set_disk_free_limit <bytes>     this node's disk alarm threshold (50MB, 2GB, 1GiB, ...)
              list_channels | list_consumers
              close_connection <name> [reason]   the client gets 320 CONNECTION_FORCED with the reason
              check_running | check_alarms | check_local_alarms   exit 0 when fine, 1 (and why) when not
              purge_queue <queue> | delete_queue [--if-empty] [--if-unused] <queue>   (as the node: no permissions)
              export_definitions <file|-> | import_definitions <file|->   the whole cluster's, as /api/definitions
              --formatter json                every list command as a JSON array of objects
              every list command takes the columns to show (rabbitmqctl's names): list_exchanges name type""";

    private WarrenCtl() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        String node = "127.0.0.1:15672";
        String vhost = "/";
        boolean quiet = false;
        boolean json = false;
        String timeout = null;
        Map<String, String> options = new LinkedHashMap<>();
        Map<String, String> tlsFiles = new LinkedHashMap<>();
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-n", "--node" -> node = i + 1 < args.length ? args[++i] : node;
                case "-p", "--vhost" -> vhost = i + 1 < args.length ? args[++i] : vhost;
                case "-q", "--quiet" -> quiet = true;
                case "--formatter" -> json = i + 1 < args.length && args[++i].equals("json");
                case "-t", "--timeout" -> timeout = i + 1 < args.length ? args[++i] : "";
                case "--cacert", "--cert", "--key" -> tlsFiles.put(args[i].substring(2), i + 1 < args.length ? args[++i]
                        : "");
                case "--priority" -> options.put("priority", i + 1 < args.length ? args[++i] : "");
                case "--apply-to" -> options.put("apply_to", i + 1 < args.length ? args[++i] : "");
                case "-e", "--if-empty" -> options.put("if_empty", "true");
                case "-u", "--if-unused" -> options.put("if_unused", "true");
                default -> rest.add(args[i]);
            }
        }
        if (rest.isEmpty()) {
            System.err.println(USAGE);
            return 2;
        }
        String command = rest.get(0);
        List<String> operands = rest.subList(1, rest.size());
        Map<String, String> params;
        try {
            params = params(command, operands, vhost);
            params.putAll(options);
        } catch (IllegalArgumentException e) {
            System.err.println("warrenctl: " + e.getMessage());
            System.err.println(USAGE);
            return 2;
        }
        long waitSeconds = 0;
        if (timeout != null) {
            try {
                waitSeconds = Long.parseLong(timeout);
            } catch (NumberFormatException e) {
                waitSeconds = -1;
            }
            if (waitSeconds < 1) {
                System.err.println("warrenctl: -t takes whole seconds, at least 1, not '" + timeout + "'");
                return 2;
            }
            params.put("timeout", Long.toString(waitSeconds));
        }
        if (!quiet && !json && command.startsWith("list_")) {
            System.out.println("Listing " + command.substring(5) + " for vhost " + vhost + " ...");
        }
        String file = params.remove("file");
        byte[] body = null;
        if (command.equals("import_definitions")) {
            try {
                body = file.equals("-") ? System.in.readAllBytes() : java.nio.file.Files.readAllBytes(Path.of(file));
            } catch (IOException e) {
                System.err.println("warrenctl: cannot read " + file + ": " + e.getMessage());
                return 2;
            }
        }
        if (!quiet) {
            banner(command, params.get("name"), vhost, file).ifPresent(System.out::println);
        }
        Optional<SSLContext> tls;
        try {
            tls = tlsContext(tlsFiles);
        } catch (IllegalArgumentException e) {
            System.err.println("warrenctl: " + e.getMessage());
            return 2;
        }
        return call(node, tls, command, params, waitSeconds, json && command.startsWith("list_"), body,
                command.equals("export_definitions") && !file.equals("-") ? Path.of(file) : null);
    }

    private static int export(String json, Path file) {
        try {
            java.nio.file.Files.writeString(file, json, StandardCharsets.UTF_8);
            return 0;
        } catch (IOException e) {
            System.err.println("warrenctl: cannot write " + file + ": " + e.getMessage());
            return 1;
        }
    }

    /** rabbitmqctl's line before the work (not with -q, never on stdout that carries exported JSON). */
    private static Optional<String> banner(String command, String name, String vhost, String file) {
        return switch (command) {
            case "purge_queue" -> Optional.of("Purging queue '" + name + "' in vhost '" + vhost + "' ...");
            case "delete_queue" -> Optional.of("Deleting queue '" + name + "' on vhost '" + vhost + "' ...");
            case "export_definitions" -> file.equals("-") ? Optional.empty()
                    : Optional.of("Exporting definitions in JSON to a file at \"" + file + "\" ...");
            case "import_definitions" -> Optional.of("Importing definitions in JSON from a file at \"" + file
                    + "\" ...");
            default -> Optional.empty();
        };
    }

    /** HTTPS when --cacert names the authority the node's certificate comes from; --cert with --key. */
    private static Optional<SSLContext> tlsContext(Map<String, String> files) {
        if (files.isEmpty()) {
            return Optional.empty();
        }
        String authority = files.get("cacert");
        if (authority == null || authority.isEmpty() || files.containsKey("cert") != files.containsKey("key")) {
            throw new IllegalArgumentException("TLS takes --cacert FILE, and --cert FILE with --key FILE for a client"
                    + " certificate");
        }
        try {
            Path trusted = Path.of(authority);
            if (!files.containsKey("cert")) {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, TlsMaterial.trustManagers(trusted).getTrustManagers(), null);
                return Optional.of(context);
            }
            return Optional.of(TlsMaterial.load(Path.of(files.get("cert")), Path.of(files.get("key")),
                    Optional.of(trusted)).jdkContext());
        } catch (TlsConfigException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static Map<String, String> params(String command, List<String> ops, String vhost) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("vhost", vhost);
        switch (command) {
            case "list_queues", "list_bindings", "list_exchanges", "list_connections", "list_users", "list_vhosts",
                    "list_permissions", "list_policies", "list_operator_policies", "list_topic_permissions",
                    "list_channels", "list_consumers" -> {
                if (!ops.isEmpty()) {
                    p.put("columns", String.join(",", ops));
                }
            }
            case "add_user", "change_password" -> {
                need(ops, 2, command + " <name> <password>");
                p.put("name", ops.get(0));
                p.put("password", ops.get(1));
            }
            case "add_cluster_node" -> {
                need(ops, 2, command + " <node> <host:port>");
                p.put("name", ops.get(0));
                p.put("address", ops.get(1));
            }
            case "delete_user", "add_vhost", "delete_vhost", "forget_cluster_node", "transfer_leadership" -> {
                need(ops, 1, command + " <name>");
                p.put("name", ops.get(0));
            }
            case "set_vm_memory_high_watermark" -> {
                need(ops, 1, command + " <fraction>");
                p.put("fraction", ops.get(0));
            }
            case "set_disk_free_limit" -> {
                need(ops, 1, command + " <bytes>");
                p.put("limit", ops.get(0));
            }
            case "set_user_tags" -> {
                need(ops, 1, command + " <name> [tag ...]");
                p.put("name", ops.get(0));
                p.put("tags", String.join(",", ops.subList(1, ops.size())));
            }
            case "set_permissions" -> positional(p, ops, command, "user", "configure", "write", "read");
            case "set_policy", "set_operator_policy" -> {
                need(ops, 3, command + " [--priority N] [--apply-to queues|exchanges|all] <name> <pattern>"
                        + " <definition>");
                p.put("name", ops.get(0));
                p.put("pattern", ops.get(1));
                p.put("definition", ops.get(2));
            }
            case "clear_policy", "clear_operator_policy" -> {
                need(ops, 1, command + " <name>");
                p.put("name", ops.get(0));
            }
            case "clear_permissions", "list_user_topic_permissions" -> {
                need(ops, 1, command + " <user>");
                p.put("user", ops.get(0));
            }
            case "set_topic_permissions" -> positional(p, ops, command, "user", "exchange", "write", "read");
            case "clear_topic_permissions" -> {
                if (ops.isEmpty() || ops.size() > 2) {
                    throw new IllegalArgumentException("usage: " + command + " <user> [exchange]");
                }
                p.put("user", ops.get(0));
                p.put("exchange", ops.size() == 2 ? ops.get(1) : "");
            }
            case "purge_queue", "delete_queue" -> {
                need(ops, 1, command + " <queue>");
                p.put("name", ops.get(0));
            }
            case "export_definitions", "import_definitions" -> {
                need(ops, 1, command + " <file, or - for standard " + (command.startsWith("export") ? "output>"
                        : "input>"));
                p.put("file", ops.get(0));
            }
            case "close_connection" -> {
                if (ops.isEmpty() || ops.size() > 2) {
                    throw new IllegalArgumentException("usage: close_connection <name> [reason]");
                }
                p.put("name", ops.get(0));
                if (ops.size() == 2) {
                    p.put("reason", ops.get(1));
                }
            }
            case "status", "cluster_status", "check_running", "check_alarms", "check_local_alarms" -> {
            }
            default -> throw new IllegalArgumentException("unknown command '" + command + "'");
        }
        return p;
    }

    /** Exactly these arguments, in this order, as the parameters of the same names. */
    private static void positional(Map<String, String> p, List<String> ops, String command, String... names) {
        need(ops, names.length, command + " <" + String.join("> <", names) + ">");
        for (int i = 0; i < names.length; i++) {
            p.put(names[i], ops.get(i));
        }
    }

    private static void need(List<String> ops, int count, String usage) {
        if (ops.size() != count && !(usage.contains("[tag") && ops.size() >= count)) {
            throw new IllegalArgumentException("usage: " + usage);
        }
    }

    /**
     * @param body sent as a POST when not null
     * @param exportTo where a 200's body goes instead of standard output, or null
     */
    private static int call(String node, Optional<SSLContext> tls, String command, Map<String, String> params,
            long waitSeconds, boolean json, byte[] body, Path exportTo) {
        StringBuilder query = new StringBuilder();
        params.forEach((k, v) -> query.append(query.isEmpty() ? "" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        URI uri = URI.create((tls.isPresent() ? "https://" : "http://") + node + "/" + command + "?" + query);
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        tls.ifPresent(builder::sslContext);
        HttpClient client = builder.build();
        // The node bounds a membership change by -t (default 60 s) and then answers; this only guards against
        // a node that stopped answering altogether.
        long nodeWait = waitSeconds > 0 ? waitSeconds : 60;
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(nodeWait + 60));
        if (body != null) {
            request.POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "application/json");
        }
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200 && exportTo != null) {
                return export(response.body(), exportTo);
            }
            if (response.statusCode() == 200) {
                System.out.print(json ? TsvJson.convert(response.body()) + "\n" : response.body());
                return 0;
            }
            System.err.print("warrenctl: " + response.body());
            return 1;
        } catch (java.net.http.HttpTimeoutException e) {
            System.err.println("warrenctl: the node at " + node + " did not answer within " + (nodeWait + 60) + " s");
            return 3;
        } catch (IOException e) {
            System.err.println("warrenctl: no Warren node answered at " + node + " (" + e + ")"
                    + (tls.isPresent() ? "" : "; a node with admin.tls true answers HTTPS only: give --cacert"));
            return 3;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 3;
        }
    }
}
