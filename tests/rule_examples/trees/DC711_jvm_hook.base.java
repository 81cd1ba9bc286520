// path: src/main/java/com/acme/log/LogCollectClient.java
package com.acme.log;

class LogCollectClient {

    private Producer producer;

    void initClient() {
        producer = new Producer();
        producer.start();
        Runtime.getRuntime().addShutdownHook(new Thread(this::close)); // error: DC711
    }

    void close() {
        producer.shutdown();
    }
}
