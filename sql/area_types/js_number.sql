-- Purpose: js_number(x), a DOUBLE as text exactly as JavaScript's String(x) writes it, so that the area-types
--          command can write millions of rows with COPY and still print what it printed when it formatted in
--          JavaScript. DuckDB already writes the shortest digits that read back to the same double; it differs from
--          JavaScript only in layout: "5.0" for 5, "1e-05" for 0.00001, "1e+16" for 10000000000000000 (JavaScript
--          writes plain digits for 1e-7 < |x| < 1e21, else d.ddde±N without padding the exponent). NULL stays NULL.
-- Inputs:  none (defines temporary macros).
-- Output:  macros js_number(x), and its helpers js_number_exp and js_number_fixed.
CREATE OR REPLACE TEMP MACRO js_number_fixed(neg, d, e) AS
  -- d: the significant digits without a point; e: the decimal exponent of the first of them.
  neg || CASE WHEN e < 0 THEN '0.' || repeat('0', -e - 1) || d
              WHEN length(d) <= e + 1 THEN d || repeat('0', e + 1 - length(d))
              ELSE d[1:e + 1] || '.' || d[e + 2:] END;
CREATE OR REPLACE TEMP MACRO js_number_exp(neg, m, e) AS
  -- m: the mantissa as DuckDB wrote it ("1", "1.234"); e: the exponent.
  CASE WHEN e >= 21 OR e <= -7 THEN neg || m || 'e' || CASE WHEN e > 0 THEN '+' ELSE '-' END || abs(e)::VARCHAR
       ELSE js_number_fixed(neg, replace(m, '.', ''), e) END;
CREATE OR REPLACE TEMP MACRO js_number(x) AS
  CASE WHEN x IS NULL THEN NULL
       -- The common case first, with one cast: DuckDB writes a fraction with 1e-4 <= |x| < 1e15 in plain digits
       -- without a trailing ".0" (it turns to an exponent below 1e-4 and from 1e16 on), as JavaScript does.
       WHEN abs(x) >= 0.0001 AND abs(x) < 1e15 AND x <> trunc(x) THEN CAST(x AS VARCHAR)
       WHEN contains(CAST(x AS VARCHAR), 'e') THEN
         js_number_exp(CASE WHEN x < 0 THEN '-' ELSE '' END,
                       split_part(ltrim(CAST(x AS VARCHAR), '-'), 'e', 1),
                       CAST(split_part(CAST(x AS VARCHAR), 'e', 2) AS INTEGER))
       WHEN suffix(CAST(x AS VARCHAR), '.0') THEN CAST(x AS VARCHAR)[1:-3]
       ELSE CAST(x AS VARCHAR) END;
