DROP TABLE richiesta_idempotente;
