"""Queue intake: CEB messages published to RabbitMQ, cleared by any number of workers, receipts
published back per enterprise (the customs DXP's shape)."""
