DROP TABLE equipe_invito;
DROP TABLE equipe_convocazione;
DROP TABLE equipe_membro;
DROP TABLE posta_uscita;
