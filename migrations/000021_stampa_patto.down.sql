ALTER TABLE ambito
    DROP CONSTRAINT ambito_logo_mime,
    DROP COLUMN logo_mime,
    DROP COLUMN logo,
    DROP COLUMN informativa_privacy;

ALTER TABLE operatore
    DROP COLUMN orari_ufficio,
    DROP COLUMN email_ufficio,
    DROP COLUMN telefono_ufficio;
