-- Certificates are issued after attendance, in their own step (an attendance mark can be undone
-- until then), and numbered from one sequence: CERT-<year of issue>-<number>. The earlier numbers
-- (CERT-<offering>-<participant>, from the first eight hex digits of each id) stay as issued; with
-- time-ordered user ids two participants of one course could draw the same number.
create sequence pk_certificate_no;
