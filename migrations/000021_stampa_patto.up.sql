-- The patto on paper (issue 21, point 3): the case manager's office contacts
-- printed under "A chi rivolgervi", and per ambito the privacy notice and the
-- optional logo of the documents' header.
ALTER TABLE operatore
    ADD COLUMN telefono_ufficio text NOT NULL DEFAULT '',
    ADD COLUMN email_ufficio    text NOT NULL DEFAULT '',
    ADD COLUMN orari_ufficio    text NOT NULL DEFAULT '';

ALTER TABLE ambito
    ADD COLUMN informativa_privacy text NOT NULL DEFAULT '',
    ADD COLUMN logo                bytea CHECK (octet_length(logo) <= 524288),
    ADD COLUMN logo_mime           text CHECK (logo_mime IN ('image/png', 'image/jpeg')),
    ADD CONSTRAINT ambito_logo_mime CHECK ((logo IS NULL) = (logo_mime IS NULL));
