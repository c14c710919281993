package io.warren.amqp;
