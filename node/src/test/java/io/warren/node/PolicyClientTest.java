package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.warren.node.testing.ClientPair;
import io.warren.node.testing.Cluster;
import io.warren.node.testing.CtlRun;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13, point 7, with the control tool and the Java client on three nodes: set_policy, clear_policy,
 * list_policies and their operator-policy forms, set on node 1 and seen on node 2's queues, existing and new;
 * how policy, operator policy and arguments combine; list_queues' policy column; bad definitions refused.
 * Runs with rabbitmqctl against RabbitMQ 3.10 in reference mode. Every test uses its own name prefix: a policy
 * applies vhost-wide.
 */
@Tag("reference")
class PolicyClientTest {
    @RegisterExtension
    static final ClientPair CLIENTS = new ClientPair("policies");

    private static CtlRun ctl(String... args) throws Exception {
        return CLIENTS.broker().ctl(1, args);
    }

    private static Channel declared(String queue, Object... arguments) throws Exception {
        Map<String, Object> table = new HashMap<>();
        for (int i = 0; i < arguments.length; i += 2) {
            table.put((String) arguments[i], arguments[i + 1]);
        }
        Channel channel = CLIENTS.reading().createChannel();
        channel.queueDeclare(queue, true, false, false, table);
        channel.close();
        Channel publishing = CLIENTS.publishing().createChannel();
        publishing.confirmSelect();
        return publishing;
    }

    /** Publishes {@code count} messages one by one in confirm mode: "a" for each ack, "n" for each nack. */
    private static String publish(Channel channel, String queue, int count) throws Exception {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            channel.basicPublish("", queue, null, ("m" + i).getBytes(StandardCharsets.UTF_8));
            out.append(channel.waitForConfirms(Cluster.WAIT_SECONDS * 1000) ? "a" : "n");
        }
        return out.toString();
    }

    private static int ready(String queue) throws Exception {
        try (Channel channel = CLIENTS.reading().createChannel()) {
            return channel.queueDeclarePassive(queue).getMessageCount();
        }
    }

    /** Waits until the queue holds {@code count}: a policy reaches RabbitMQ's queue processes a moment later. */
    private static void awaitReady(String queue, int count) throws Exception {
        Cluster.await(queue + " holds " + count, Cluster.WAIT_SECONDS, () -> {
            try {
                return ready(queue) == count;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aPolicyLimitsExistingAndNewQueuesUntilItIsCleared() throws Exception {
        Channel old = declared("lim-old");
        assertEquals("aaaaa", publish(old, "lim-old", 5));
        ctl("set_policy", "--apply-to", "queues", "lim", "^lim-", "{\"max-length\":2}").requireSuccess();
        awaitReady("lim-old", 2);
        Channel fresh = declared("lim-new");
        publish(fresh, "lim-new", 4);
        assertEquals(2, ready("lim-new"));
        String listed = ctl("list_queues", "name", "policy").requireSuccess().out();
        assertTrue(listed.contains("lim-old\tlim\n") && listed.contains("lim-new\tlim\n"), listed);
        ctl("clear_policy", "lim").requireSuccess();
        publish(fresh, "lim-new", 3);
        awaitReady("lim-new", 5);
        old.close();
        fresh.close();
    }

    @Test
    void argumentsPoliciesAndOperatorPoliciesCombineAsRabbitMqCombinesThem() throws Exception {
        ctl("set_policy", "--priority", "1", "--apply-to", "queues", "mix", "^mix-",
                "{\"max-length\":5,\"overflow\":\"reject-publish\"}").requireSuccess();
        ctl("set_operator_policy", "--apply-to", "queues", "mix-op", "^mix-", "{\"max-length\":3}").requireSuccess();
        Map<String, Object[]> queues = new java.util.LinkedHashMap<>();
        queues.put("mix-c", new Object[] {});
        queues.put("mix-q", new Object[] {"x-queue-type", "quorum"});
        queues.put("mix-c-arg", new Object[] {"x-max-length", 2, "x-overflow", "drop-head"});
        queues.put("mix-q-arg", new Object[] {"x-queue-type", "quorum", "x-max-length", 2, "x-overflow", "drop-head"});
        queues.put("mix-c-big", new Object[] {"x-max-length", 10});
        Map<String, String> confirms = new java.util.LinkedHashMap<>();
        for (var queue : queues.entrySet()) {
            Channel channel = declared(queue.getKey(), queue.getValue());
            confirms.put(queue.getKey(), publish(channel, queue.getKey(), 8));
            channel.close();
        }
        Map<String, String> expected = Map.of("mix-c", "aaannnnn", "mix-q", "aaaannnn", "mix-c-arg", "aaaaaaaa",
                "mix-q-arg", "aaannnnn", "mix-c-big", "aaannnnn");
        if (io.warren.node.testing.TestBroker.referenceMode()) {
            // RabbitMQ tells a channel that a quorum reject-publish queue is full a moment after it crossed its
            // limit (docs/compliance.md), so it may take one publish more (seen once in CI, on mix-q-arg).
            for (String quorum : List.of("mix-q", "mix-q-arg")) {
                String oneMore = "a" + expected.get(quorum).substring(0, 7);
                if (confirms.get(quorum).equals(oneMore)) {
                    confirms.put(quorum, expected.get(quorum));
                }
            }
        }
        assertEquals(expected, confirms, "smallest limit; classic overflow: argument first; quorum overflow: policy"
                + " first");
        String policies = ctl("list_policies").requireSuccess().out();
        assertTrue(policies.contains("/\tmix\t^mix-\tqueues\t{\"max-length\":5,\"overflow\":\"reject-publish\"}\t1\n"),
                policies);
        String operator = ctl("list_operator_policies").requireSuccess().out();
        assertTrue(operator.contains("/\tmix-op\t^mix-\tqueues\t{\"max-length\":3}\t0\n"), operator);
        ctl("clear_policy", "mix").requireSuccess();
        ctl("clear_operator_policy", "mix-op").requireSuccess();
    }

    @Test
    void aDeadLetterExchangeByPolicyTakesWhatExpires() throws Exception {
        Channel setup = declared("ttl-dlq");
        ctl("set_policy", "--apply-to", "queues", "ttl", "^ttl-src",
                "{\"message-ttl\":50,\"dead-letter-exchange\":\"\",\"dead-letter-routing-key\":\"ttl-dlq\"}")
                .requireSuccess();
        Channel channel = declared("ttl-src");
        assertEquals("a", publish(channel, "ttl-src", 1));
        awaitReady("ttl-dlq", 1);
        try (Channel reader = CLIENTS.reading().createChannel()) {
            GetResponse got = reader.basicGet("ttl-dlq", true);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> deaths = (List<Map<String, Object>>) got.getProps().getHeaders().get("x-death");
            assertEquals("expired", deaths.getFirst().get("reason").toString());
        }
        ctl("clear_policy", "ttl").requireSuccess();
        setup.close();
        channel.close();
    }

    @Test
    void badPoliciesAreRefusedWithRabbitMqsReasons() throws Exception {
        assertRefused("-1 is not a valid maximum length", "set_policy", "bad", "^bad-", "{\"max-length\":-1}");
        assertRefused("[{<<\"foo\">>,<<\"bar\">>}] are not recognised policy settings", "set_policy", "bad", "^bad-",
                "{\"foo\":\"bar\"}");
        assertRefused("<<\"ten\">> is not a valid maximum length", "set_policy", "bad", "^bad-",
                "{\"max-length\":\"ten\"}");
        assertRefused("apply-to 'bogus' unrecognised; should be 'queues', 'exchanges' or 'all'", "set_policy",
                "--apply-to", "bogus", "bad", "^bad-", "{\"message-ttl\":1}");
        assertRefused("<<\"drop-tail\">> is not a valid overflow value", "set_policy", "bad", "^bad-",
                "{\"overflow\":\"drop-tail\"}");
        assertRefused("no policy provided", "set_policy", "bad", "^bad-", "{}");
        assertRefused("JSON decoding error", "set_policy", "bad", "^bad-", "not json");
        assertRefused("[{<<\"overflow\">>,<<\"drop-head\">>}] are not recognised policy settings",
                "set_operator_policy", "bad", "^bad-", "{\"overflow\":\"drop-head\"}");
        assertRefused("Parameter does not exist", "clear_policy", "nosuch");
        String policies = ctl("list_policies").requireSuccess().out();
        assertTrue(!policies.contains("\tbad\t"), policies);
    }

    private static void assertRefused(String reason, String... args) throws Exception {
        CtlRun run = ctl(args);
        assertNotEquals(0, run.exit(), () -> String.join(" ", args) + " was taken: " + run.out());
        assertTrue((run.out() + run.err()).contains(reason), () -> "expected '" + reason + "' in: " + run.err()
                + run.out());
    }
}
