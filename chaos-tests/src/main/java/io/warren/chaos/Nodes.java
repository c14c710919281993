package io.warren.chaos;

import java.io.IOException;
import java.util.List;

/**
 * The cluster under test as real node processes: started, killed (-9), paused (SIGSTOP) and thawed,
 * and, where the nodes live in network namespaces, cut off from each other with packet drops. Node
 * numbers run from 1.
 */
public interface Nodes extends AutoCloseable {

    int size();

    /** The node's name; 0 stands for every node (a fault aimed at all of them). */
    default String id(int node) {
        return node == 0 ? "all" : "n" + node;
    }

    String amqpHost(int node);

    int amqpPort(int node);

    /**
     * Starts node {@code node} (again, with its data) and waits until it serves AMQP; a node that was
     * removed from the group is brought back as a fresh newcomer instead ({@link #rejoinFresh}).
     */
    void start(int node) throws IOException, InterruptedException;

    void kill(int node) throws IOException, InterruptedException;

    /** kill -9 of every running node in one signal, so none outlives the others by more than the kernel takes. */
    void killAll() throws IOException, InterruptedException;

    /** Starts every member that does not run, all before waiting for any (none serves without a majority). */
    void startAll() throws IOException, InterruptedException;

    void pause(int node) throws IOException, InterruptedException;

    void resume(int node) throws IOException, InterruptedException;

    boolean running(int node);

    /** False from a removal until the node was added back, as far as this harness knows. */
    boolean member(int node);

    /** warrenctl on node {@code node}: its output, or an IOException when it failed. */
    String warrenctl(int node, String... args) throws IOException, InterruptedException;

    /** Drops every packet between nodes a and b, both ways. */
    void cut(int a, int b) throws IOException, InterruptedException;

    /** Drops this share (0..1) of the packets node {@code node} receives from other nodes. */
    void loss(int node, double share) throws IOException, InterruptedException;

    /**
     * Holds every packet between node {@code node} and the other nodes for {@code millis}, both ways, until
     * {@link #heal}. (tc netem is missing from this kernel: the packets go through an NFQUEUE that a small
     * program in the node's namespace, nfq_delay.py, releases after the delay.)
     */
    void delay(int node, int millis) throws IOException, InterruptedException;

    /**
     * A write torn by a crash: {@code bytes} of a partial entry after the last complete one in the node's
     * open Raft log segment (the node must be down). Returns the segment's name, or null when there was none to tear.
     */
    String tearLogTail(int node, int bytes) throws IOException;

    /** Removes the node from the Raft group (warrenctl forget_cluster_node on another node). */
    void removeMember(int node) throws IOException, InterruptedException;

    /**
     * Brings a removed node back as a newcomer: kill, empty data dir, start with join, then warrenctl
     * add_cluster_node on another node; returns once it serves.
     */
    void rejoinFresh(int node) throws IOException, InterruptedException;

    /** Fills the node's data disk (a small tmpfs of its own) until writes fail with ENOSPC. */
    void fillDisk(int node) throws IOException, InterruptedException;

    /** Frees what {@link #fillDisk} took. */
    void freeDisk(int node) throws IOException, InterruptedException;

    /** Removes every packet drop and delay. */
    void heal() throws IOException, InterruptedException;

    /** The node whose status says it leads, or 0 when none answers so. */
    default int leader() throws InterruptedException {
        for (int node = 1; node <= size(); node++) {
            if (!running(node)) {
                continue;
            }
            if ("leader".equals(statusCell(node, "role"))) {
                return node;
            }
        }
        return 0;
    }

    /** True when node {@code node} answers and says it serves clients. */
    default boolean serving(int node) throws InterruptedException {
        return "true".equals(statusCell(node, "serving"));
    }

    /** One cell of the node's warrenctl status row (role, serving, epoch, ...), or null when it does not answer. */
    default String statusCell(int node, String column) throws InterruptedException {
        try {
            List<String> lines = warrenctl(node, "status").lines().toList();
            List<String> header = List.of(lines.get(0).split("\t"));
            return lines.get(1).split("\t", -1)[header.indexOf(column)];
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    void close();
}
