// path: src/main/java/com/acme/log/LogCollectClient.java
package com.acme.log;

class LogCollectClient {

    private Producer producer;

    void initClient() {
        producer = new Producer();
        producer.start();
    }

    void close() {
        producer.shutdown();
    }

    void reload() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> producer.shutdown())); // error: DC701, DC711
    }
}
