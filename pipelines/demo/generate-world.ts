import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOfficialAreas, type OfficialAreas } from '../areas/load-official-areas.ts';
import { createRng, type Rng } from './rng.ts';
import { ES_CLASSES, type AreaRecord, type CrosswalkRecord, type DemoWorld, type DesoCounts, type KommunCounts } from './world.ts';
import { groupBy } from '../collections.ts';

/**
 * The deterministic synthetic Sweden behind `--demo`.
 *
 * Years: 2016–2025. The world was calibrated on 2017–2025; 2016, the baseline year of the follow-up (SCB's tables have
 * it), was added afterwards as an earlier year derived backwards from 2017 (see Y2017), leaving 2017–2025 unchanged.
 *
 * Real: the 21 län and 290 kommuner (codes, names), riket population per year, the sizes of the kommuner named
 * in shared/notes/realism-targets.md, the number of DeSO/RegSO of the kommuner named there, and the national
 * levels every indicator is calibrated to. Synthetic: every DeSO and RegSO (codes follow SCB's patterns but
 * are not SCB's areas), and all values below kommun level.
 *
 * Names: DeSO are called "<Kommun> <letter+serial>" (e.g. "Stockholm C1010") and RegSO "<Kommun> RegSO 001".
 * Real RegSO carry place names ("Rinkeby"); a synthetic area must never look like a real place, so it gets a
 * plain numbered name instead.
 *
 * How values arise: each DeSO has a latent socio-economic disadvantage z (standardised, pop-weighted, 2017),
 * built from a kommun level, a RegSO effect smoothed along neighbouring RegSO, a DeSO effect smoothed along
 * neighbouring serials, and RegSO set to the levels of concentrated disadvantage (area types 1–2) or affluence
 * (type 5) in the towns that have them. z drives foreign background, income, employment, assistance, education,
 * tenure and turnout together, each through a logistic (or, for income, a normal mixture) whose national intercept
 * is solved every year so that riket hits its published level; rural areas and small kommuner are older, less
 * educated and poorer on top of z. Over the years areas keep a trend (the extremes pull away, the middle sorts
 * out) plus yearly noise, so area types polarise and ≈92 % of RegSO keep their type from one year to the next. Two
 * mine areas are emptied (MINE_AREAS), giving the few cells under SCB's 50-person rule that real data have.
 */

const DATA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../data');
const FIRST = 2016;
const YEARS = [2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025];
const NY = YEARS.length;
/**
 * Index of 2017 in YEARS and in every per-year table: the calibration base. The world was calibrated on 2017–2025;
 * 2016 (the baseline year SCB's tables also publish) was added afterwards as an earlier year, derived backwards from
 * 2017: every trend runs on years since 2017 (−1 for 2016) and 2016's random draws come from streams of their own,
 * so 2017–2025 are exactly what they were before 2016 existed.
 */
const Y2017 = 2017 - FIRST;
/** Index of 2018: foreign background is calibrated per kommun on it. */
const Y2018 = 2018 - FIRST;
/** Index of 2024 in YEARS: the first year on DeSO2025. */
const Y2024 = 2024 - FIRST;

// ---------------------------------------------------------------------------------------------------------
// Calibration targets (realism-targets.md; keys [Sx] there). Values marked "assumed" are not published there
// and are set to plausible levels next to the sourced ones.

/**
 * Riket population 31 Dec [S1]–[S7], [S11]; 2016 (9,995,153) and 2018 are SCB's figures (targets derive ≈10.23 M for
 * 2018); 2025 assumed.
 */
const RIKET_POP = [9_995_153, 10_120_242, 10_230_185, 10_327_589, 10_379_295, 10_452_326, 10_521_556, 10_551_707, 10_587_710, 10_610_000];
/** Foreign background, share of population [S1]–[S4], [S7]; 2016 ≈23.2 % (SCB); 2018, 2022, 2023 interpolated, 2025 assumed. */
const FB = [0.232, 0.241, 0.249, 0.255, 0.259, 0.263, 0.267, 0.271, 0.275, 0.278];
/** Low economic standard, all ages [S33]–[S36]; 2016 assumed a little below 2017 (the share rose slowly to 2019); 2024–2025 assumed flat. */
const LOW_ES = [0.146, 0.148, 0.144, 0.15, 0.147, 0.147, 0.136, 0.132, 0.133, 0.134];
/**
 * Median economic standard, riket, kronor: 2017 [S39], 2019 [S40], 2020 [S41]; 2022 and 2023 from the nominal
 * changes +5 % and +7 % [S34], [S35] (2023 is back at the 2017 real level); 2018 and 2021 interpolated, 2024–2025
 * assumed (+4 %, +3 %). 2016 assumed: +3.5 % nominal to 2017, ≈+1.7 % real with KPI's +1.8 % (world.ts ES_PRICE_INDEX),
 * the pace of the years before.
 */
const MEDIAN_ES = [240_000, 248_400, 255_000, 261_800, 266_000, 277_000, 290_900, 311_200, 323_600, 333_300];
/**
 * Register employment rate 20–64 (förvärvsfrekvens). Not found in the targets; assumed ≈80–82 % with the
 * COVID dip in 2020, following the AKU proxy [S13] about 2 pp above it because 20–64 excludes teenagers. 2016
 * continues the rise backwards (assumed).
 */
const EMP = [0.798, 0.803, 0.808, 0.81, 0.795, 0.801, 0.815, 0.818, 0.815, 0.813];
/** Unemployed (BAS) as share of population 20–64; assumed, shaped like AKU [S13], [S21], [S24] (2016 a little above 2017). */
const UNEMP = [0.054, 0.052, 0.049, 0.051, 0.064, 0.06, 0.049, 0.05, 0.055, 0.057];
/** Share of the unemployed who have been so > 6 months; assumed, up after COVID (2016 like 2017, slightly higher). */
const LTU_SHARE = [0.43, 0.42, 0.4, 0.4, 0.41, 0.5, 0.46, 0.41, 0.41, 0.43];
/** Economic assistance ≥ 10 months, share of 20–64; assumed from the falling trend in [S42]–[S47] (2016 continues it). */
const EA = [0.0165, 0.016, 0.0155, 0.0155, 0.0155, 0.0145, 0.0125, 0.0115, 0.011, 0.011];
/** Pre-upper-secondary only, 25–64 (25–65 from 2024) [S29], [S31]; other years assumed falling ≈0.2 pp/yr (2016 too). */
const EDU_PRE = [0.122, 0.12, 0.118, 0.116, 0.114, 0.112, 0.11, 0.108, 0.107, 0.105];
/** Post-secondary, 25–64 [S29] (2017: 43 %) to ≈47.5 % (2024) [S32]; interpolated; 2016 continues the rise backwards. */
const EDU_POST = [0.424, 0.43, 0.436, 0.443, 0.449, 0.456, 0.462, 0.468, 0.475, 0.48];
/** Share of post-secondary with ≥ 3 years: 27/43 in 2017 [S29], rising slowly (assumed). */
const EDU_LONG = [0.623, 0.628, 0.633, 0.638, 0.643, 0.648, 0.653, 0.658, 0.663, 0.668];
/** Rental share of dwellings that are not owner-occupied: 2022 38.6/(38.6+24.0) [S54]; drift from [S55], [S56] (2016 continues it). */
const RENTAL_OF_FLATS = [0.644, 0.64, 0.636, 0.632, 0.628, 0.624, 0.617, 0.614, 0.611, 0.608];
/** Owner-occupied (äganderätt) share of dwellings: 37.4 % in 2022 [S54]; assumed flat (falling a hair a year). */
const OWNER = [0.378, 0.377, 0.376, 0.375, 0.375, 0.374, 0.374, 0.373, 0.373, 0.372];
/** Kommunval turnout [S59], [S60]. No election in 2016 (the one before was 2014): no voters that year. */
const TURNOUT: Readonly<Record<number, number>> = { 2018: 0.841, 2022: 0.805 };
/** Persons overcrowded by norm 2; assumed ≈10 % (flerbostadshus 18.4 % [S51], småhus far lower), 2018 peak. */
const CROWD = [0.099, 0.1, 0.101, 0.1, 0.097, 0.094, 0.091, 0.09, 0.089, 0.089];
/** Reported crimes per 1,000 [S66]; 2023–2025 assumed; 2016 assumed like 2017 (Brå counted ≈1.5 M reported crimes in both years). */
const CRIME = [152, 151, 152, 151, 151, 142, 138, 139, 136, 134];
/**
 * Year-9 pupils eligible for a vocational programme, spring term of the year [S72]–[S74]; 2017, 2025 assumed; 2016
 * assumed ≈83 % (the share fell 2015–2017 with many newly arrived pupils).
 */
const ELIGIBLE = [0.831, 0.825, 0.844, 0.843, 0.856, 0.862, 0.85, 0.852, 0.837, 0.84];
/** Men, share of population; assumed (not in the targets): just over half, rising slowly with male-heavy immigration. */
const MEN = [0.5005, 0.501, 0.5015, 0.502, 0.5022, 0.5024, 0.5027, 0.5029, 0.503, 0.503];
/**
 * Persons per dwelling by tenure, relative to the DeSO's mean: owner-occupied houses hold families, flats fewer
 * people. Set so riket lands near ≈47–48 % of persons in äganderätt, ≈20–21 % in bostadsrätt, ≈29–30 % in
 * hyresrätt in 2022 (derived from the 2022 dwellings [S54] and persons in owned småhus 50 % in 2014 [S58]).
 */
const PERSONS_PER_DWELLING = { owner: 1.38, condo: 0.82, rental: 0.74 } as const;

/**
 * Approximate 31 Dec 2017 population per kommun, in thousands. The kommuner named in the targets are exact
 * there (and in ANCHORS); the rest are rounded from memory of SCB's figures and rescaled so riket is exact.
 */
const KOMMUN_POP_2017 =
  '0114:44.9 0115:32.9 0117:44.4 0120:42.9 0123:76.3 0125:28.0 0126:110.0 0127:91.9 0128:16.9 0136:87.2 ' +
  '0138:47.5 0139:27.5 0140:10.6 0160:70.7 0162:32.9 0163:72.3 0180:949.8 0181:96.0 0182:100.0 0183:49.9 ' +
  '0184:79.1 0186:47.4 0187:11.6 0188:60.6 0191:46.8 0192:28.0 0305:21.4 0319:9.6 0330:17.5 0331:14.1 ' +
  '0360:20.6 0380:219.9 0381:44.5 0382:21.8 0428:9.2 0461:11.0 0480:55.0 0481:11.9 0482:16.6 0483:34.2 ' +
  '0484:104.5 0486:35.2 0488:12.9 0509:5.3 0512:3.7 0513:10.0 0560:5.5 0561:11.7 0562:21.8 0563:7.7 ' +
  '0580:158.5 0581:141.7 0582:14.6 0583:43.2 0584:7.5 0586:27.6 0604:6.7 0617:9.7 0642:7.2 0643:11.7 ' +
  '0662:29.6 0665:13.8 0680:137.0 0682:31.4 0683:34.2 0684:11.3 0685:27.3 0686:17.7 0687:18.7 0760:9.6 ' +
  '0761:8.8 0763:12.4 0764:19.8 0765:16.3 0767:10.2 0780:89.5 0781:28.5 0821:6.1 0834:7.1 0840:14.8 ' +
  '0860:14.0 0861:13.3 0862:9.3 0880:67.1 0881:20.3 0882:26.9 0883:36.6 0884:15.6 0885:10.8 0980:58.6 ' +
  '1060:13.3 1080:65.9 1081:29.6 1082:32.1 1083:17.3 1214:14.0 1230:24.5 1231:18.0 1233:35.9 1256:14.7 ' +
  '1257:10.1 1260:15.4 1261:31.1 1262:24.3 1263:21.6 1264:15.7 1265:19.0 1266:15.6 1267:16.4 1270:13.6 ' +
  '1272:12.7 1273:13.2 1275:7.4 1276:17.7 1277:15.8 1278:14.8 1280:333.6 1281:121.9 1282:45.3 1283:145.4 ' +
  '1284:26.5 1285:33.2 1286:30.0 1287:44.6 1290:84.6 1291:19.3 1292:41.7 1293:52.0 1315:10.8 1380:99.8 ' +
  '1381:25.1 1382:44.1 1383:63.8 1384:81.0 1401:37.0 1402:38.1 1407:12.9 1415:26.4 1419:15.9 1421:15.1 ' +
  '1427:9.0 1430:10.4 1435:12.6 1438:4.8 1439:6.6 1440:30.0 1441:41.6 1442:11.9 1443:9.2 1444:5.7 ' +
  '1445:5.7 1446:6.9 1447:5.3 1452:11.9 1460:9.7 1461:9.3 1462:13.9 1463:34.7 1465:10.7 1466:9.5 ' +
  '1470:16.0 1471:13.2 1472:11.2 1473:9.3 1480:564.0 1481:66.0 1482:44.3 1484:14.6 1485:56.3 1486:13.1 ' +
  '1487:39.0 1488:58.0 1489:40.5 1490:111.6 1491:24.3 1492:12.8 1493:24.5 1494:39.6 1495:18.6 1496:55.1 ' +
  '1497:9.1 1498:12.8 1499:33.0 1715:12.0 1730:8.6 1737:11.8 1760:4.1 1761:16.3 1762:3.7 1763:11.5 ' +
  '1764:9.1 1765:10.0 1766:13.3 1780:91.1 1781:24.3 1782:10.7 1783:11.9 1784:26.0 1785:15.6 1814:7.8 ' +
  '1860:5.7 1861:15.9 1862:9.6 1863:7.1 1864:4.9 1880:151.7 1881:21.6 1882:11.3 1883:30.6 1884:10.6 ' +
  '1885:23.6 1904:4.5 1907:10.1 1960:8.6 1961:16.1 1962:5.8 1980:150.1 1981:22.6 1982:13.4 1983:26.0 ' +
  '1984:14.0 2021:6.9 2023:10.2 2026:10.3 2029:15.6 2031:10.9 2034:6.9 2039:7.1 2061:10.8 2062:20.4 ' +
  '2080:58.0 2081:51.9 2082:11.0 2083:15.4 2084:23.2 2085:26.4 2101:6.0 2104:9.6 2121:11.5 2132:9.5 ' +
  '2161:19.3 2180:100.6 2181:39.0 2182:26.1 2183:26.6 2184:37.5 2260:9.5 2262:18.0 2280:25.1 2281:99.1 ' +
  '2282:18.6 2283:19.7 2284:56.3 2303:5.5 2305:6.5 2309:14.9 2313:11.8 2321:11.1 2326:7.1 2361:10.2 ' +
  '2380:62.2 2401:7.1 2403:2.5 2404:5.4 2409:6.8 2417:4.1 2418:3.1 2421:6.0 2422:2.55 2425:2.75 ' +
  '2460:8.7 2462:6.9 2463:2.85 2480:125.1 2481:12.3 2482:72.5 2505:6.4 2506:2.9 2510:5.1 2513:3.3 ' +
  '2514:16.2 2518:4.6 2521:6.1 2523:18.3 2560:8.2 2580:77.8 2581:42.0 2582:28.2 2583:9.9 2584:23.1';

/**
 * Exact kommun populations where the targets give them [S12], [S11]. Stockholm, Göteborg, Malmö 2024 and
 * Uppsala 2017 are not in the targets; they are SCB's figures as remembered, approximately.
 */
const ANCHORS: Readonly<Record<string, Readonly<Record<number, number>>>> = {
  '0180': { 2017: 949_761, 2021: 978_770, 2024: 988_943 },
  '1480': { 2017: 564_039, 2021: 587_549, 2024: 607_882 },
  '1280': { 2017: 333_633, 2021: 351_749, 2024: 362_133 },
  '0380': { 2017: 219_914, 2021: 237_596 },
  '0181': { 2017: 96_032, 2021: 101_209 },
  '0127': { 2017: 91_925, 2021: 95_318, 2024: 95_905 },
  '0162': { 2017: 32_888, 2021: 32_803, 2024: 32_425 },
  '2521': { 2017: 6_101, 2021: 5_973 },
  '2403': { 2017: 2_451, 2021: 2_395 },
  '2425': { 2021: 2_459 },
  '2422': { 2021: 2_460 },
  '2506': { 2021: 2_707 },
};

/** DeSO per kommun from SCB's 2018 key [S14] where the targets name it (the nine 2-DeSO kommuner too). */
const DESO_COUNT: Readonly<Record<string, number>> = {
  '0180': 544, '1480': 306, '1280': 192, '0181': 51, '0127': 50, '0162': 20, '2521': 5, '2403': 2, '2460': 5,
  '1760': 2, '1904': 2, '2417': 2, '2422': 2, '2425': 2, '2463': 2, '2506': 2, '2513': 2,
};
const DESO_TOTAL = 5_984;

/** RegSO per kommun from the key [S14], [S17] where named. */
const REGSO_COUNT: Readonly<Record<string, number>> = {
  '0180': 127, '1480': 147, '1280': 91, '0181': 31, '0127': 20, '0162': 7, '2521': 2, '2403': 2, '2460': 3,
};
const REGSO_TOTAL = 3_363;

/** DeSO2018 areas split in the 2025 revision: 164 into two and 6 into three gives 5,984 + 176 = 6,160. */
const SPLIT_INTO_TWO = 164;
const SPLIT_INTO_THREE = 6;

/**
 * Foreign background per kommun, 2018, where known: the extremes from [S18] (2018 where given, else the 2019
 * value less ≈0.8 pp), the rest approximate. Other kommuner follow a size/region model.
 */
const FB_2018: Readonly<Record<string, number>> = {
  '0127': 0.593, '0181': 0.543, '2583': 0.51, '1280': 0.459, '0191': 0.454, '1231': 0.446, '0123': 0.432,
  '0183': 0.421, '0114': 0.417, '0126': 0.405, '2581': 0.076, '2031': 0.078, '1407': 0.079, '1814': 0.083,
  '2425': 0.085, '2309': 0.086,
  '0180': 0.33, '1480': 0.345, '0184': 0.41, '0136': 0.36, '0163': 0.355, '0139': 0.38, '1282': 0.39,
  '0484': 0.315, '1980': 0.305, '0581': 0.27, '1880': 0.26, '0380': 0.255, '1281': 0.28, '1283': 0.335,
  '1490': 0.28, '1488': 0.31, '0617': 0.27, '1060': 0.3, '1275': 0.31, '1260': 0.34, '1277': 0.3,
  '1982': 0.31, '0138': 0.28, '0182': 0.29, '0162': 0.23, '0186': 0.24, '0160': 0.26, '0680': 0.225,
  '0580': 0.23, '0780': 0.235, '1782': 0.23, '1961': 0.27, '1983': 0.25, '2081': 0.24, '2180': 0.21,
  '2281': 0.17, '2480': 0.165, '2580': 0.145, '2380': 0.13, '1780': 0.18, '1380': 0.25, '1290': 0.24,
  '1481': 0.27, '1402': 0.31, '1384': 0.16, '1233': 0.135, '1262': 0.15, '2518': 0.33, '2521': 0.27,
  '2584': 0.17, '1864': 0.22, '0767': 0.24, '0761': 0.24, '0765': 0.25, '2460': 0.095, '2403': 0.09,
};

/**
 * Kommun-level socio-economic shift on top of what foreign background implies (negative = affluent).
 * Chosen so affluent suburbs and the known industrial towns with many type-1 areas [S77] stand out.
 */
const AFFLUENCE: Readonly<Record<string, number>> = {
  '0162': -1.5, '0186': -1.1, '0160': -1.0, '1233': -1.0, '1262': -1.1, '0182': -0.6, '0187': -0.8,
  '0643': -0.6, '1384': -0.6, '0330': -0.6, '1407': -0.5, '0184': -0.5, '0163': -0.5, '0180': -0.55,
  '1281': -0.3, '0380': -0.2, '1402': -0.2, '1481': -0.3, '1401': -0.6, '1482': -0.3, '1441': -0.6,
  '0125': -0.7, '0120': -0.5, '0117': -0.5, '0115': -0.4, '1230': -0.6, '1261': -0.5, '1284': -0.3,
  '0128': -0.3, '0138': -0.4, '0305': -0.3, '0488': -0.3, '2480': -0.3, '0580': -0.25,
  '1280': 0, '1782': 0.4, '1864': 0.3, '1863': 0.3, '1275': 0.3, '1260': 0.25, '1277': 0.2, '0484': 0.5,
  '1282': 0.3, '2081': 0.6, '0581': 0.3, '1982': 0.5, '1060': 0.4, '1862': 0.3, '1447': 0.4, '0761': 0.4,
  '1315': 0.2, '1488': 0.3, '1983': 0.2, '0181': -0.7, '0127': -0.9, '2583': -0.35, '2518': -0.3, '2521': -0.3, '1231': 0.2, '1480': -0.2,
  '1283': 0.1, '1290': 0.1, '2180': 0.1, '1880': 0.1, '1081': 0.2, '0860': 0.2, '2161': 0.2, '2182': 0.3,
  '2104': 0.3, '1762': 0.3, '1760': 0.3, '1785': 0.2, '1783': 0.2, '2181': 0.2, '2085': 0.2, '2084': 0.3,
  '2083': 0.2,
};

/** Education boost (logit) for university towns and affluent suburbs; assumed from the 16–74 ranks in [S12]. */
const EDU_BOOST: Readonly<Record<string, number>> = {
  '1281': 0.8, '0380': 0.5, '2480': 0.45, '0580': 0.35, '0180': 0.45, '1480': 0.45, '1280': 0.6, '0184': 0.5,
  '0162': 0.3, '0186': 0.3, '0182': 0.3, '0160': 0.3, '2580': 0.15, '0780': 0.15, '1880': 0.15, '1780': 0.1,
  '0183': 0.3, '1262': 0.35, '0330': 0.3,
};

/** Rental vs condo among flats (logit): Stockholm 43/57, Uppsala 38/62, Örebro 77/23 [S55]. */
const RENT_TILT: Readonly<Record<string, number>> = {
  '0180': -1.0, '0380': -1.1, '0184': -0.8, '0183': -0.5, '0182': -0.8, '1281': -0.3, '1280': -0.9,
  '1480': -0.3, '1880': 1.0, '1980': 0.4,
};

/**
 * Within-kommun spread of the latent factor where the size rule misfits: Stockholm's RegSO are large and the
 * city is affluent overall (3 type-1 but 23 type-5 RegSO [S77]); Botkyrka and Södertälje are split between
 * very poor and middle-class parts (Botkyrka 2/6/2/10/0), the poor parts coming from DISADVANTAGED_REGSO.
 */
const SPREAD: Readonly<Record<string, number>> = { '0180': 0.8, '0127': 0.9, '0181': 0.9 };

/**
 * Turnout beyond what the latent factor explains: Haparanda is lowest in every election (many Finnish
 * citizens), Lomma, Habo and Vellinge highest [S59], [S60].
 */
const TURNOUT_TILT: Readonly<Record<string, number>> = {
  '2583': -0.7, '0127': -0.25, '0181': -0.3, '1262': 0.35, '0643': 0.35, '1233': 0.35,
};

/** Reported crime beyond size and disadvantage: the capital's centre draws crime from the whole region [S66]. */
const CRIME_TILT: Readonly<Record<string, number>> = { '0180': 0.1 };

/**
 * Concentrated disadvantage and affluence: how many RegSO of a named kommun are set to the levels of area types 1
 * and 2 ([type-1-like, type-2-like]) and to an affluent level. The counts are the kommun's published 2022 types
 * [S77] (type 1 Malmö 21, Göteborg 15, Eskilstuna 8, Norrköping 5, Borlänge 5, Stockholm 3, Södertälje 3,
 * Botkyrka 2; none in Danderyd, Pajala, Bjurholm, Vännäs) where the other parts of the model do not already give
 * them: Stockholm (23 type 5) and Göteborg (21) get fewer affluent RegSO than published because the city's own level
 * makes the rest. Other kommuner draw theirs (buildLatent).
 */
const DISADVANTAGED_REGSO: Readonly<Record<string, readonly [number, number]>> = {
  '1280': [21, 9], '1480': [15, 19], '0484': [8, 2], '0581': [5, 3], '2081': [5, 2], '0180': [3, 7], '0181': [3, 5],
  '0127': [2, 6], '0162': [0, 0], '2521': [0, 0], '2403': [0, 0], '2460': [0, 0],
};
const AFFLUENT_REGSO: Readonly<Record<string, number>> = {
  '0180': 8, '1480': 12, '1280': 5, '0162': 2, '0181': 0, '0127': 0, '2521': 0, '2403': 0, '2460': 0,
};

/**
 * Areas being emptied by the iron-ore mines: Malmberget in Gällivare (2523) and Kiruna's old centre (2584) are
 * vacated as the LKAB mines grow, and their residents move elsewhere in the kommun. Share of the area's 2017
 * population left, per year 2016–2025 (assumed path; Malmberget was already emptying before 2017). They give DeSO and
 * RegSO whose persons, persons 20–64 and dwellings fall under SCB's 50-person rule in the last years, as real small
 * areas do: in 2024 Malmberget (a RegSO of one DeSO) has under 50 inhabitants, and Kiruna's centre DeSO under 50
 * persons aged 20–64 and under 50 dwellings.
 */
const MINE_AREAS: Readonly<Record<string, { regsoDesos: number; left: readonly number[] }>> = {
  // Malmberget: the RegSO outside the centralort of the size nearest two DeSO (in this world, one), emptied over the decade.
  '2523': { regsoDesos: 2, left: [1.15, 1, 0.8, 0.6, 0.42, 0.27, 0.15, 0.075, 0.04, 0.025] },
  // Kiruna: one DeSO of the centre, cleared 2019–2024.
  '2584': { regsoDesos: 0, left: [1, 1, 0.93, 0.78, 0.55, 0.33, 0.17, 0.08, 0.035, 0.015] },
};

/**
 * Rural character (Unit.rural) on pre-upper-secondary education (logit) and on income (latent SD): small inland
 * kommuner have less education [S12] and medians below riket's, more pensioners and lower earnings.
 */
const RURAL_PRE = 0.4;
const RURAL_INCOME = 0.4;

/**
 * How areas move over time, in latent SD per year (calibrated together; see buildLatent). Areas of types 1–2 and 4–5
 * grow while type 3 shrinks [S78], [S79]; ≈92 % of RegSO keep their type from one year to the next (89–95 % [S78]).
 * - TREND_SD: spread of each RegSO's own trend (some areas improve, some decline).
 * - TAIL_TREND: extra decline of the disadvantaged RegSO (DISADVANTAGED_REGSO and drawn ones).
 * - AFFLUENT_PULL: affluent areas pull away: z falls by this times how far below the mean they start (urban areas).
 * - MIDDLE_SORT: mixed areas (z near 0.8, type 3) sort out of the middle, most of them upwards in standing.
 * - NOISE_SD: yearly noise of a 1,700-person DeSO (turnover of residents), larger in smaller areas.
 */
const TREND_SD = 0.01;
const TAIL_TREND = 0.015;
const AFFLUENT_PULL = 0.1;
const MIDDLE_SORT = 0.04;
const NOISE_SD = 0.1;

/** Kommuner that are wholly urban, so no rural (A) DeSO. */
const ALL_URBAN = new Set(['0180', '0183', '0184']);

/** Within-county differences in foreign background for kommuner not in FB_2018 (logit shifts). */
const LAN_FB: Readonly<Record<string, number>> = {
  '01': 0.5, '03': 0.0, '04': 0.3, '05': 0.0, '06': 0.1, '07': 0.2, '08': -0.1, '09': -0.5, '10': 0.1,
  '12': 0.3, '13': 0.0, '14': 0.1, '17': -0.1, '18': 0.0, '19': 0.35, '20': -0.35, '21': -0.15, '22': -0.3,
  '23': -0.5, '24': -0.5, '25': -0.3,
};

/** Relative population growth per year by county for kommuner without anchors (assumed). */
const LAN_GROWTH: Readonly<Record<string, number>> = {
  '01': 0.004, '03': 0.002, '12': 0.001, '13': 0.002, '14': 0.001, '17': -0.003, '20': -0.003, '21': -0.003,
  '22': -0.003, '23': -0.003, '24': -0.002, '25': -0.004,
};

// ---------------------------------------------------------------------------------------------------------

type Letter = 'A' | 'B' | 'C';

interface Kommun {
  code: string;
  name: string;
  lan: string;
  /** Population per year index. */
  pop: number[];
  fbTarget: number;
  /** Mean latent disadvantage of the kommun (raw until buildLatent standardises it with the DeSO values). */
  level: number;
  /** Within-kommun spread of the latent factor. */
  spread: number;
  /** Per-year change of a DeSO's distance from the kommun level: > 0 diverges, < 0 converges. */
  polarise: number;
  /** Per-year change of the kommun level itself. */
  drift: number;
  eduBoost: number;
  rentTilt: number;
  urban: number;
  crimeFactor: number;
  schoolEffect: number;
  /** Persistent kommun factor on the size of the year-9 cohort. */
  cohort: number;
  crowdUnknown: number;
  desoCount: number;
  regsoCount: number;
  /** Foreign-background intercept that makes the kommun hit fbTarget in 2018. */
  fbOffset: number;
  fbTrend: number;
  turnoutEffect: number;
}

interface Regso {
  code: string;
  name: string;
  kommun: number;
  letter: Letter;
}

interface Unit {
  code: string;
  kommun: number;
  regso: number;
  letter: Letter;
  /** Population per year index (DeSO2018 units: all years; DeSO2025 children: 2024– only). */
  pop: number[];
  /** Latent disadvantage per year index, standardised. */
  z: number[];
  child: number;
  old: number;
  /** Rural character, 0–1: more for a rural (A) DeSO or a small tätort (B), and the smaller the kommun. */
  rural: number;
  personsPerDwelling: number;
  eFb: number; eInc: number; eEmp: number; eUnemp: number; eLtu: number; eEa: number; ePre: number;
  ePost: number; eLong: number; eFlat: number; eRent: number; eTurn: number; eMiss: number; eCrowd: number;
  eMen: number; eMenForeign: number; eOther: number;
}

export function generateWorld(seed = 20170101): DemoWorld {
  const official = loadOfficialAreas(DATA_DIR);
  const kommuner = buildKommuner(official, seed);
  const { regsos, units } = buildGeography(kommuner, seed);
  distributePopulation(kommuner, units, seed);
  buildLatent(kommuner, regsos, units, seed);
  const { units2025, crosswalk } = reviseDeso(kommuner, units, seed);
  calibrateForeignBackground(kommuner, units);

  const deso = new Map<number, Map<string, DesoCounts>>();
  const kommun = new Map<number, Map<string, KommunCounts>>();
  const kommunRng = createRng(seed, 'kommun-sources');
  // 2016 draws its kommun noise from a stream of its own, so the 2017–2025 draws are those of the calibrated world.
  const kommunRng2016 = createRng(seed, 'kommun-sources-2016');
  for (let y = 0; y < NY; y++) {
    const year = YEARS[y]!;
    const active = y >= Y2024 ? units2025 : units;
    const { counts, crowdExpected } = desoYear(year, y, active, kommuner);
    deso.set(year, counts);
    kommun.set(year, kommunYear(y, kommuner, active, counts, crowdExpected, y < Y2017 ? kommunRng2016 : kommunRng));
  }

  return {
    seed,
    years: [...YEARS],
    areas: buildAreaRecords(official, kommuner, regsos, units, units2025),
    crosswalk,
    deso,
    kommun,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Kommuner: population paths and kommun-level parameters.

function buildKommuner(official: OfficialAreas, seed: number): Kommun[] {
  const rng = createRng(seed, 'kommuner');
  const approx = new Map<string, number>();
  for (const pair of KOMMUN_POP_2017.split(' ')) {
    const [code = '', thousands = ''] = pair.split(':');
    approx.set(code, Number(thousands) * 1000);
  }
  const n = official.kommuner.length;
  const base = official.kommuner.map((k) => {
    const p = approx.get(k.code);
    if (p === undefined) throw new Error(`demo world: no approximate population for kommun ${k.code}`);
    return ANCHORS[k.code]?.[2017] ?? p;
  });

  // Log share of riket per anchor year; kommuner without anchors grow relative to riket by a size/region rule
  // (big and suburban grow, small and northern shrink), which is the pattern of 2017–2024 [S12], [S11]. 2016 continues
  // the same lines backwards (interpolate extrapolates the first segment).
  const logShare: number[][] = official.kommuner.map((k, i) => {
    const p17 = base[i]!;
    const anchors = ANCHORS[k.code] ?? {};
    const known = Object.keys(anchors).map(Number).sort((a, b) => a - b);
    const h = 0.0035 * Math.log(p17 / 15_000) - 0.002 + (LAN_GROWTH[k.lan_code] ?? 0) + rng.normal(0, 0.003);
    return YEARS.map((year) => {
      if (known.length === 0) return Math.log(p17 / RIKET_POP[Y2017]!) + h * (year - 2017);
      const at = (yr: number): number => Math.log((anchors[yr] ?? p17) / RIKET_POP[yr - FIRST]!);
      const pts: [number, number][] = known.map((yr) => [yr, at(yr)]);
      if (!anchors[2017]) pts.unshift([2017, Math.log(p17 / RIKET_POP[Y2017]!)]);
      return interpolate(pts, year, h);
    });
  });

  const anchored = official.kommuner.map((k) => ANCHORS[k.code] !== undefined);
  const pops: number[][] = official.kommuner.map(() => new Array<number>(NY).fill(0));
  for (let y = 0; y < NY; y++) {
    const total = RIKET_POP[y]!;
    let fixed = 0;
    for (let i = 0; i < n; i++) {
      if (!anchored[i]) continue;
      const yearAnchor = ANCHORS[official.kommuner[i]!.code]?.[YEARS[y]!];
      pops[i]![y] = yearAnchor ?? Math.round(total * Math.exp(logShare[i]![y]!));
      fixed += pops[i]![y]!;
    }
    const free: number[] = [];
    const weights: number[] = [];
    for (let i = 0; i < n; i++) {
      if (anchored[i]) continue;
      free.push(i);
      weights.push(Math.exp(logShare[i]![y]!));
    }
    const alloc = largestRemainder(total - fixed, weights);
    free.forEach((i, j) => (pops[i]![y] = alloc[j]!));
  }

  // Foreign background targets: named ones as given, the rest by size and county, then the unnamed ones are
  // shifted together on the logit scale so riket 2018 lands on its published share.
  // Draws happen for every kommun, named or not, so a name added to a table leaves the others' draws alone.
  const rawFb = official.kommuner.map((k, i) => {
    const noise = rng.normal(0, 0.25);
    const known = FB_2018[k.code];
    if (known !== undefined) return { known: true, logit: logit(known) };
    return { known: false, logit: logit(0.15) + 0.28 * Math.log(pops[i]![Y2018]! / 15_000) + (LAN_FB[k.lan_code] ?? 0) + noise };
  });
  // No kommun lies below ≈7.5 % [S18], so the model's small northern kommuner are floored there.
  const fbOf = (i: number, s: number): number => (rawFb[i]!.known ? sigmoid(rawFb[i]!.logit) : Math.max(0.075, sigmoid(rawFb[i]!.logit + s)));
  const shift = bisect(-3, 3, (s) => {
    let fb = 0;
    for (let i = 0; i < n; i++) fb += pops[i]![Y2018]! * fbOf(i, s);
    return fb / RIKET_POP[Y2018]! - FB[Y2018]!;
  });
  const fbTargets = rawFb.map((_, i) => fbOf(i, shift));

  const desoCounts = allocateDesoCounts(official, base);
  const regsoCounts = allocateRegsoCounts(official, desoCounts);

  return official.kommuner.map((k, i) => {
    const p17 = pops[i]![Y2017]!;
    const D = desoCounts[i]!;
    const fb = fbTargets[i]!;
    const urban = Math.log(p17 / 15_000);
    // Truncated so that an unnamed kommun does not outdo the known extremes (Malmö, Filipstad, Danderyd).
    const levelNoise = clamp(rng.normal(0, 0.22), -0.35, 0.35);
    const rentNoise = rng.normal(0, 0.2);
    const crimeNoise = rng.normal(0, 0.1);
    return {
      code: k.code,
      name: k.name,
      lan: k.lan_code,
      pop: pops[i]!,
      fbTarget: fb,
      // Foreign background and disadvantage go together across kommuner with much foreign background; a low
      // share does not make a rural kommun affluent, so below 20 % the link is weak. AFFLUENCE separates e.g.
      // Stockholm (high foreign background, affluent) from Filipstad (lower, poorer).
      level: (fb > 0.2 ? 0.7 : 0.15) * (logit(fb) - logit(0.2)) + 0.08 * Math.max(0, -urban) + 1.3 * (AFFLUENCE[k.code] ?? levelNoise),
      spread: SPREAD[k.code] ?? Math.min(1.0, 0.25 + 0.14 * Math.log(D)),
      polarise: rng.normal(0, 0.008),
      drift: rng.normal(0, 0.012),
      eduBoost: (EDU_BOOST[k.code] ?? 0) + 0.1 * urban + rng.normal(0, 0.12),
      rentTilt: RENT_TILT[k.code] ?? 0.35 - 0.1 * urban + rentNoise,
      urban,
      crimeFactor: Math.exp(0.12 * urban + (CRIME_TILT[k.code] ?? 0) + crimeNoise),
      schoolEffect: rng.normal(0, 0.22),
      cohort: Math.exp(rng.normal(0, 0.05)),
      crowdUnknown: rng.uniform(0.008, 0.03),
      desoCount: D,
      regsoCount: regsoCounts[i]!,
      fbOffset: 0,
      fbTrend: rng.normal(0, 0.006),
      turnoutEffect: rng.normal(0, 0.08),
    };
  });
}

/** DeSO per kommun: population over a size-dependent target (small kommuner have small DeSO [S12]+[S14]). */
function allocateDesoCounts(official: OfficialAreas, pop2017: number[]): number[] {
  const size = (p: number): number => Math.min(1900, Math.max(1000, 1000 + 380 * Math.log(p / 3000)));
  const counts = (scale: number): number[] =>
    official.kommuner.map((k, i) => DESO_COUNT[k.code] ?? Math.max(2, Math.round((scale * pop2017[i]!) / size(pop2017[i]!))));
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  let lo = 0.5;
  let hi = 2;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    if (sum(counts(mid)) < DESO_TOTAL) lo = mid;
    else hi = mid;
  }
  const result = counts(lo);
  fixTotal(result, DESO_TOTAL, official.kommuner.map((k, i) => (DESO_COUNT[k.code] ? -1 : pop2017[i]!)), (_, next) => next >= 2);
  return result;
}

/** RegSO per kommun ≈ DeSO^e: one or two DeSO per RegSO in small kommuner, more in big ones [S14]. */
function allocateRegsoCounts(official: OfficialAreas, deso: number[]): number[] {
  const counts = (e: number): number[] =>
    official.kommuner.map((k, i) => {
      const D = deso[i]!;
      return REGSO_COUNT[k.code] ?? Math.min(D, Math.max(2, Math.ceil(D / 13), Math.round(Math.pow(D, e))));
    });
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  let lo = 0.5;
  let hi = 1;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    if (sum(counts(mid)) < REGSO_TOTAL) lo = mid;
    else hi = mid;
  }
  const result = counts(lo);
  fixTotal(
    result,
    REGSO_TOTAL,
    official.kommuner.map((k, i) => (REGSO_COUNT[k.code] ? -1 : deso[i]!)),
    (i, next) => next >= 2 && next <= deso[i]! && next * 13 >= deso[i]!,
  );
  return result;
}

/** Moves a rounded allocation to an exact total, one unit at a time on the largest eligible entries. */
function fixTotal(values: number[], total: number, priority: number[], ok: (i: number, next: number) => boolean): void {
  const order = priority.map((p, i) => [p, i] as const).filter(([p]) => p >= 0).sort((a, b) => b[0] - a[0]).map(([, i]) => i);
  let diff = total - values.reduce((a, b) => a + b, 0);
  for (let round = 0; diff !== 0 && round < 100; round++) {
    for (const i of order) {
      if (diff === 0) break;
      const step = diff > 0 ? 1 : -1;
      if (!ok(i, values[i]! + step)) continue;
      values[i]! += step;
      diff -= step;
    }
  }
  if (diff !== 0) throw new Error(`demo world: cannot reach total ${total}`);
}

// ---------------------------------------------------------------------------------------------------------
// Geography: RegSO partitions, DeSO letters and codes.

function buildGeography(kommuner: Kommun[], seed: number): { regsos: Regso[]; units: Unit[] } {
  const rng = createRng(seed, 'geography');
  const regsos: Regso[] = [];
  const units: Unit[] = [];
  kommuner.forEach((k, ki) => {
    const D = k.desoCount;
    const R = k.regsoCount;
    // RegSO sizes: start at one DeSO each and hand out the rest with a Pólya-like urn (chance ∝ size + 1.5): it
    // gives the skew of the key, about half of all RegSO single DeSO and a few with 4–13 [S14].
    const sizes = new Array<number>(R).fill(1);
    for (let extra = D - R; extra > 0; extra--) {
      const w = sizes.map((s) => (s >= 13 ? 0 : s + 1.5));
      sizes[rng.weighted(w)]! += 1;
    }
    rng.shuffle(sizes);

    // Letters per RegSO: the first RegSO is the centralort (C). A (rural) and B (other tätorter) shares fall
    // with kommun size; calibrated so riket has ≈18 % A and ≈10 % B [S14].
    const pA = ALL_URBAN.has(k.code) ? 0 : Math.min(0.5, Math.max(0.02, 0.56 - 0.1 * Math.log(D)));
    const pB = D < 5 ? 0 : Math.min(0.3, 0.18 - 0.02 * Math.log(D));
    const letters: Letter[] = sizes.map((_, r) => {
      if (r === 0) return 'C';
      const u = rng.next();
      return u < pA ? 'A' : u < pA + pB ? 'B' : 'C';
    });
    // Order RegSO C, B, A so neighbouring serials are neighbouring places of the same kind.
    const rank: Record<Letter, number> = { C: 0, B: 1, A: 2 };
    const order = sizes.map((_, r) => r).sort((a, b) => rank[letters[a]!] - rank[letters[b]!] || a - b);

    let cSerial = 100;
    let aSerial = 0;
    let bBlock = 1;
    const bSerial = new Map<number, number>();
    order.forEach((r, ri) => {
      const letter = letters[r]!;
      const regsoIndex = regsos.length;
      regsos.push({ code: `${k.code}R${pad3(ri + 1)}`, name: `${k.name} RegSO ${pad3(ri + 1)}`, kommun: ki, letter });
      // A B-RegSO is one tätort: its DeSO share one hundred-block (2xx, 3xx, …), as in real B codes.
      const block = letter === 'B' ? (bBlock = bBlock >= 8 ? 2 : bBlock + 1) : 0;
      for (let j = 0; j < sizes[r]!; j++) {
        let serial: number;
        if (letter === 'C') {
          // Real C serials have gaps (numbers retired before publication); gaps keep codes from looking dense.
          cSerial += rng.next() < 0.12 ? 2 : 1;
          serial = cSerial;
        } else if (letter === 'A') {
          serial = ++aSerial;
        } else {
          const s = (bSerial.get(block) ?? 0) + 1;
          bSerial.set(block, s);
          serial = block * 100 + s;
        }
        units.push(newUnit(`${k.code}${letter}${pad3(serial)}0`, ki, regsoIndex, letter));
      }
    });
    if (cSerial > 999 || aSerial > 99 || [...bSerial.values()].some((v) => v > 99)) {
      throw new Error(`demo world: serials overflow in kommun ${k.code}`);
    }
  });
  return { regsos, units };
}

function newUnit(code: string, kommun: number, regso: number, letter: Letter): Unit {
  return {
    code, kommun, regso, letter,
    pop: new Array<number>(NY).fill(0), z: new Array<number>(NY).fill(0),
    child: 0, old: 0, rural: 0, personsPerDwelling: 2,
    eFb: 0, eInc: 0, eEmp: 0, eUnemp: 0, eLtu: 0, eEa: 0, ePre: 0, ePost: 0, eLong: 0, eFlat: 0, eRent: 0,
    eTurn: 0, eMiss: 0, eCrowd: 0, eMen: 0, eMenForeign: 0, eOther: 0,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Population per DeSO and year.

function distributePopulation(kommuner: Kommun[], units: Unit[], seed: number): void {
  const rng = createRng(seed, 'deso-pop');
  const byKommun = groupBy(units, (u) => u.kommun);
  kommuner.forEach((k, ki) => {
    const list = byKommun.get(ki) ?? [];
    // Start sizes spread around the kommun mean (DeSO were drawn at 700–2,700 inhabitants [S16]); growth
    // differs by DeSO and a few see new building, which is what later forces the 2025 splits.
    const weight = list.map(() => Math.min(1.55, Math.max(0.5, 1 + rng.normal(0, 0.24))));
    const growth = list.map(() => rng.normal(0, 0.01) + (rng.next() < 0.07 ? rng.uniform(0.025, 0.07) : 0));
    const mine = MINE_AREAS[k.code];
    const emptied = mine ? mineUnits(list, mine.regsoDesos) : new Set<Unit>();
    for (let y = 0; y < NY; y++) {
      const t = y - Y2017;
      const w = list.map((u, j) => weight[j]! * Math.exp(growth[j]! * t) * (mine && emptied.has(u) ? mine.left[y]! : 1));
      const alloc = largestRemainder(k.pop[y]!, w);
      list.forEach((u, j) => (u.pop[y] = alloc[j]!));
    }
  });
}

/**
 * The DeSO of a mine area (MINE_AREAS): with `regsoDesos` > 0 every DeSO of the RegSO outside the centralort whose size
 * is nearest that (a tätort of its own); with 0 one DeSO of the centralort's largest RegSO (a part of the centre).
 */
function mineUnits(list: Unit[], regsoDesos: number): Set<Unit> {
  const byRegso = groupBy(list, (u) => u.regso);
  const regsos = [...byRegso.keys()].sort((a, b) => a - b);
  if (regsoDesos > 0) {
    const outside = regsos.slice(1);
    const best = outside.reduce((a, b) => (Math.abs(byRegso.get(b)!.length - regsoDesos) < Math.abs(byRegso.get(a)!.length - regsoDesos) ? b : a));
    return new Set(byRegso.get(best));
  }
  const centre = regsos.filter((r) => byRegso.get(r)![0]!.letter === 'C').sort((a, b) => byRegso.get(b)!.length - byRegso.get(a)!.length || a - b)[0]!;
  return new Set([byRegso.get(centre)![0]!]);
}

// ---------------------------------------------------------------------------------------------------------
// Latent socio-economic factor.

function buildLatent(kommuner: Kommun[], regsos: Regso[], units: Unit[], seed: number): void {
  const rng = createRng(seed, 'latent');
  const regsoEffect = new Array<number>(regsos.length).fill(0);
  /** Per-year trend of each RegSO: areas improve or decline slowly, the extremes drift further out. */
  const regsoTrend = new Array<number>(regsos.length).fill(0);
  const regsoSize = new Array<number>(regsos.length).fill(0);
  for (const u of units) regsoSize[u.regso]! += 1;
  const byKommun = groupBy(regsos.map((r, i) => ({ r, i })), (x) => x.r.kommun);
  kommuner.forEach((k, ki) => {
    const list = byKommun.get(ki) ?? [];
    const R = list.length;
    // Concentrated disadvantage (the large estates of the 1960s–70s): about a quarter of the kommuner have one or
    // more (79 of 290 have a type-1 RegSO, 162 a type-1 or type-2 [S77]), mostly the poorer towns; the big cities
    // have many. Concentrated affluence (villa suburbs, inner-city condos) is what makes type 5, mostly in the big
    // cities and affluent kommuner (86 kommuner have a type-5 RegSO [S77]). Named kommuner take their counts from
    // DISADVANTAGED_REGSO / AFFLUENT_REGSO. A kommun of a handful of DeSO has no estate large enough to make a RegSO
    // of its own.
    const townSized = k.desoCount >= 6 && R >= 3;
    const pDis = !townSized ? 0 : sigmoid(-1.8 + 1.1 * k.level + 0.35 * Math.log(R / 5));
    const drawnDis = (rng.next() < pDis ? 1 : 0) + (R >= 12 && rng.next() < pDis ? 1 : 0) + (R >= 30 && rng.next() < pDis ? 1 : 0);
    const pChal = !townSized ? 0 : sigmoid(0.5 + 1.1 * k.level + 0.35 * Math.log(R / 5));
    const drawnChal = (rng.next() < pChal ? 1 : 0) + (R >= 12 && rng.next() < pChal ? 1 : 0) + (R >= 30 && rng.next() < pChal ? 1 : 0);
    const named = DISADVANTAGED_REGSO[k.code];
    const nDis = Math.min(R - 1, named?.[0] ?? drawnDis);
    const nChal = Math.min(R - 1 - nDis, named?.[1] ?? drawnChal);
    const pAff = !townSized ? 0 : clamp(0.4 * Math.max(0, -k.level - 0.2) + 0.08 * Math.max(0, k.urban - 1), 0, 0.35);
    let drawnAff = 0;
    for (let r = 0; r < R; r++) if (rng.next() < pAff) drawnAff++;
    const nAff = Math.min(R - 1 - nDis, AFFLUENT_REGSO[k.code] ?? drawnAff);
    // Which RegSO: a random order, estates among the centralort's parts (C) that hold a small share of the town (a
    // named kommun with more estates than such parts takes larger parts too).
    const order = list.map((x) => ({ ...x, key: rng.next() })).sort((a, b) => a.key - b.key);
    const small = (i: number): boolean => (regsoSize[i] ?? 0) * 8 <= k.desoCount || (regsoSize[i] ?? 0) <= 2;
    const dis = new Set<number>();
    const chal = new Set<number>();
    for (const pass of [true, false]) {
      for (const { r, i } of order) if (dis.size < nDis && r.letter === 'C' && (!pass || small(i)) && (pass || named !== undefined)) dis.add(i);
    }
    for (const pass of [true, false]) {
      for (const { r, i } of order) if (chal.size < nChal && !dis.has(i) && r.letter === 'C' && (!pass || small(i)) && (pass || named !== undefined)) chal.add(i);
    }
    const aff = new Set<number>();
    for (const { i } of order) if (aff.size < nAff && !dis.has(i) && !chal.has(i)) aff.add(i);

    let prev = rng.normal();
    for (const { i } of list) {
      // AR(1) along RegSO order: neighbouring RegSO resemble each other.
      // Clamped: extreme areas come from the explicit tails, not from a chance 4-sigma draw that would turn a whole
      // small kommun into an outlier.
      prev = clamp(0.55 * prev + Math.sqrt(1 - 0.55 * 0.55) * rng.normal(), -2.5, 2.5);
      // A tail sets the area's level wherever its kommun lies: an estate is poor in an affluent town too.
      const disLevel = rng.uniform(3.2, 4.8);
      const chalLevel = rng.uniform(1.6, 2.6);
      const affLevel = -rng.uniform(1.4, 2.4);
      const own = k.spread * prev;
      regsoEffect[i] = dis.has(i) ? Math.max(own, disLevel - k.level)
        : chal.has(i) ? Math.max(own, chalLevel - k.level)
          : aff.has(i) ? Math.min(own, affLevel - k.level) : own;
      // Polarisation [S78], [S79]: estates decline and affluent areas pull away a little more each year.
      regsoTrend[i] = rng.normal(0, TREND_SD) + (dis.has(i) || chal.has(i) ? TAIL_TREND : aff.has(i) ? -TAIL_TREND : 0);
    }
  });

  const raw = new Array<number>(units.length).fill(0);
  let prevRegso = -1;
  let prev = 0;
  units.forEach((u, j) => {
    const k = kommuner[u.kommun]!;
    if (u.regso !== prevRegso) {
      prev = rng.normal();
      prevRegso = u.regso;
    }
    prev = 0.5 * prev + Math.sqrt(0.75) * rng.normal();
    // Rural DeSO are a little poorer on the index variables (less education) but rarely extreme.
    const letterShift = u.letter === 'A' ? 0.1 : u.letter === 'B' ? 0.05 : 0;
    raw[j] = k.level + regsoEffect[u.regso]! + 0.45 * k.spread * prev + letterShift;
  });

  // Standardise on 2017, population-weighted, so every slope below is "per national SD".
  let sw = 0;
  let sx = 0;
  let sxx = 0;
  units.forEach((u, j) => {
    const w = u.pop[Y2017]!;
    sw += w;
    sx += w * raw[j]!;
    sxx += w * raw[j]! * raw[j]!;
  });
  const mean = sx / sw;
  const sd = Math.sqrt(sxx / sw - mean * mean);
  const levels = kommuner.map((k) => (k.level - mean) / sd);
  kommuner.forEach((k, ki) => (k.level = levels[ki]!));

  const z0s = new Float64Array(units.length);
  const trends = new Float64Array(units.length);
  const noiseSds = new Float64Array(units.length);
  const shocks2017 = new Float64Array(units.length);

  units.forEach((u, j) => {
    const k = kommuner[u.kommun]!;
    const z0 = (raw[j]! - mean) / sd;
    // Year-to-year noise: a DeSO's residents change by about a tenth a year, so its shares wobble around the trend,
    // more in small areas; with the shocks and trends it makes ≈92 % of RegSO keep their type from one year to the
    // next (89–95 % [S78]).
    const noiseSd = NOISE_SD * Math.sqrt(1700 / Math.max(300, u.pop[Y2017]!));
    // The pull of affluent areas is an urban thing (villa suburbs, inner cities): none in the smallest kommuner.
    const urbanPull = clamp(0.5 + 0.25 * k.urban, 0, 1);
    // Mixed areas (z0 within 0.8 of 0.8) leave the middle: below 0.9 they improve, above it they decline (less so).
    const middle = Math.max(0, 1 - Math.abs(z0 - 0.8) / 0.8) * (z0 < 0.9 ? 1 : -0.7);
    const trend = k.polarise * (z0 - k.level) + k.drift + regsoTrend[u.regso]! - AFFLUENT_PULL * urbanPull * Math.max(0, -z0) - MIDDLE_SORT * middle;
    let shock = 0;
    for (let y = Y2017; y < NY; y++) {
      // Persistent shocks: a bad year for an area tends to be followed by another.
      shock = 0.7 * shock + rng.normal(0, 0.035);
      u.z[y] = z0 + (y - Y2017) * trend + shock + rng.normal(0, noiseSd);
      if (y === Y2017) shocks2017[j] = shock;
    }
    trends[j] = trend;
    noiseSds[j] = noiseSd;
    z0s[j] = z0;
    // Small kommuner are older and have fewer children than riket; rural areas more so.
    const small = Math.max(0, -k.urban);
    u.rural = Math.min(1, (u.letter === 'A' ? 0.6 : u.letter === 'B' ? 0.3 : 0) + 0.25 * small);
    u.child = clamp(0.235 + 0.02 * z0 - 0.012 * small + (u.letter === 'C' && k.urban > 2 ? -0.03 : 0) + rng.normal(0, 0.03), 0.12, 0.36);
    u.old = clamp(0.2 - 0.025 * z0 + (u.letter === 'A' ? 0.05 : u.letter === 'B' ? 0.02 : -0.01) + 0.025 * small - (k.urban > 2 ? 0.03 : 0) + rng.normal(0, 0.045), 0.04, 0.42);
    u.personsPerDwelling = clamp(2.0 + 0.15 * z0 + (u.letter === 'A' ? 0.3 : u.letter === 'B' ? 0.2 : 0) - (u.letter === 'C' ? 0.06 * k.urban : 0) + rng.normal(0, 0.12), 1.4, 3.2);
    u.eFb = rng.normal(0, 0.3);
    u.eInc = rng.normal(0, 0.2);
    u.eEmp = rng.normal(0, 0.15);
    u.eUnemp = rng.normal(0, 0.15);
    u.eLtu = rng.normal(0, 0.15);
    u.eEa = rng.normal(0, 0.25);
    u.ePre = rng.normal(0, 0.2);
    u.ePost = rng.normal(0, 0.25);
    u.eLong = rng.normal(0, 0.2);
    u.eFlat = rng.normal(0, 0.7);
    u.eRent = rng.normal(0, 0.8);
    u.eTurn = rng.normal(0, 0.15);
    u.eMiss = rng.normal(0, 0.3);
    u.eCrowd = rng.normal(0, 0.25);
    u.eMen = rng.normal(0, 0.025);
    u.eMenForeign = rng.normal(0, 0.06);
    u.eOther = rng.normal(0, 0.4);
  });

  // 2016, the year before the calibration base: one step back along each area's trend, a shock that continues the
  // 2017 one backwards (the AR(1) reversed) and the yearly noise, all from a stream of its own so that every draw
  // above, and so every 2017–2025 number, is the same as before 2016 was added.
  const rng2016 = createRng(seed, 'latent-2016');
  units.forEach((u, j) => {
    const shock = 0.7 * shocks2017[j]! + rng2016.normal(0, 0.035);
    u.z[Y2017 - 1] = z0s[j]! - trends[j]! + shock + rng2016.normal(0, noiseSds[j]!);
  });
}

// ---------------------------------------------------------------------------------------------------------
// DeSO 2025 revision: grown areas are split, the rest keep their codes.

function reviseDeso(kommuner: Kommun[], units: Unit[], seed: number): { units2025: Unit[]; crosswalk: CrosswalkRecord[] } {
  const rng = createRng(seed, 'deso2025');
  const growing = kommuner.map((k) => k.pop[Y2024 - 1]! > k.pop[Y2017]!);
  // The areas that grew the most beyond the design range are the ones SCB splits [S16].
  const candidates = units
    .filter((u) => growing[u.kommun])
    .sort((a, b) => b.pop[Y2024 - 1]! - a.pop[Y2024 - 1]! || (a.code < b.code ? -1 : 1));
  const splitInto = new Map<Unit, number>();
  candidates.slice(0, SPLIT_INTO_THREE).forEach((u) => splitInto.set(u, 3));
  candidates.slice(SPLIT_INTO_THREE, SPLIT_INTO_THREE + SPLIT_INTO_TWO).forEach((u) => splitInto.set(u, 2));

  // New codes take unused serials in the parent's letter block, after the highest one the kommun uses.
  const used = new Set(units.map((u) => u.code));
  const nextSerial = (u: Unit): string => {
    const kommunCode = u.code.slice(0, 4);
    const serial = Number(u.code.slice(5, 8));
    const start = u.letter === 'C' ? 101 : u.letter === 'A' ? 1 : Math.floor(serial / 100) * 100 + 1;
    const end = u.letter === 'C' ? 999 : u.letter === 'A' ? 99 : Math.floor(serial / 100) * 100 + 99;
    let best: string | null = null;
    for (let s = end; s >= start; s--) {
      const code = `${kommunCode}${u.letter}${pad3(s)}0`;
      if (used.has(code)) break;
      best = code;
    }
    if (best === null) throw new Error(`demo world: no free serial after ${u.code}`);
    used.add(best);
    return best;
  };

  const units2025: Unit[] = [];
  const crosswalk: CrosswalkRecord[] = [];
  for (const u of units) {
    const parts = splitInto.get(u);
    if (parts === undefined) {
      units2025.push(u);
      crosswalk.push({ from_code: u.code, from_version: 'DeSO2018', to_code: u.code, to_version: 'DeSO2025', weight: 1 });
      continue;
    }
    const fractions = parts === 2 ? [rng.uniform(0.35, 0.65)] : [rng.uniform(0.25, 0.4), rng.uniform(0.25, 0.4)];
    fractions.push(1 - fractions.reduce((a, b) => a + b, 0));
    const children = fractions.map(() => {
      const c: Unit = { ...u, code: nextSerial(u), pop: new Array<number>(NY).fill(0), z: [...u.z] };
      // The new-build part of a split area is a little better off than the old part.
      const offset = rng.normal(-0.1, 0.2);
      for (let y = 0; y < NY; y++) c.z[y] = u.z[y]! + offset;
      c.eFlat = u.eFlat + rng.normal(0.3, 0.4);
      c.eRent = u.eRent + rng.normal(-0.3, 0.4);
      return c;
    });
    for (let y = Y2024; y < NY; y++) {
      const alloc = largestRemainder(u.pop[y]!, fractions);
      children.forEach((c, j) => (c.pop[y] = alloc[j]!));
    }
    // Weights are the 2024 population shares, i.e. exactly what the data say lies in each part.
    let rest = 1;
    children.forEach((c, j) => {
      const w = j === children.length - 1 ? rest : c.pop[Y2024]! / u.pop[Y2024]!;
      rest -= w;
      crosswalk.push({ from_code: u.code, from_version: 'DeSO2018', to_code: c.code, to_version: 'DeSO2025', weight: w });
      units2025.push(c);
    });
  }
  return { units2025, crosswalk };
}

// ---------------------------------------------------------------------------------------------------------
// Per-year counts.

/** Finds each kommun's foreign-background intercept so that its 2018 share is its target. */
function calibrateForeignBackground(kommuner: Kommun[], units: Unit[]): void {
  const byKommun = groupBy(units, (u) => u.kommun);
  kommuner.forEach((k, ki) => {
    const list = byKommun.get(ki) ?? [];
    const w = Float64Array.from(list, (u) => u.pop[Y2018]!);
    const x = Float64Array.from(list, (u) => fbLinear(u, k, Y2018));
    k.fbOffset = solveLogistic(w, x, k.fbTarget);
  });
}

/** Foreign background (logit) without the kommun offset and the national year shift. */
function fbLinear(u: Unit, k: Kommun, y: number): number {
  const letter = u.letter === 'A' ? -0.5 : u.letter === 'B' ? -0.2 : 0;
  // Composition follows the 2018 pattern and only partly the later socio-economic change, so a kommun whose
  // areas improve does not lose foreign background for that reason alone.
  const z = u.z[Y2018]! + 0.3 * (u.z[y]! - u.z[Y2018]!);
  return 0.95 * (z - k.level) + letter + u.eFb + k.fbTrend * (y - Y2018);
}

interface YearResult {
  counts: Map<string, DesoCounts>;
  /** Expected overcrowded persons per unit (not a published DeSO quantity; summed to kommun). */
  crowdExpected: Float64Array;
}

function desoYear(year: number, y: number, units: Unit[], kommuner: Kommun[]): YearResult {
  const n = units.length;
  const pop = Float64Array.from(units, (u) => u.pop[y]!);
  const z = Float64Array.from(units, (u) => u.z[y]!);
  const age2064 = new Float64Array(n);
  const age18 = new Float64Array(n);
  const ageEdu = new Float64Array(n);
  /** Years since 2017, the time of every trend (−1 for 2016). */
  const t = y - Y2017;
  units.forEach((u, i) => {
    // Ageing: 65+ grows and children shrink slowly, so the 20–64 share drifts down as in riket.
    const old = u.old + 0.0018 * t;
    const child = u.child - 0.0006 * t;
    age2064[i] = 1 - old - child;
    age18[i] = 1 - 0.9 * child;
    // 25–64 is 20–64 less the 20–24 cohort (≈6 % of all); from 2024 the source band is 25–65 (+≈1.2 %).
    ageEdu[i] = age2064[i]! * 0.895 + (year >= 2024 ? 0.012 : 0);
  });
  const p2064 = Float64Array.from(pop, (p, i) => p * age2064[i]!);

  const shareOf = (weights: Float64Array, linear: (i: number) => number, target: number): Float64Array => {
    const x = Float64Array.from({ length: n }, (_, i) => linear(i));
    const a = solveLogistic(weights, x, target);
    return x.map((v) => sigmoid(a + v));
  };

  const fb = shareOf(pop, (i) => kommuner[units[i]!.kommun]!.fbOffset + fbLinear(units[i]!, kommuner[units[i]!.kommun]!, y), FB[y]!);
  // COVID hit the weakest areas hardest: steeper slopes in 2020–2021.
  const covid = year === 2020 || year === 2021 ? 1.15 : 1;
  const emp = shareOf(p2064, (i) => -0.42 * covid * z[i]! + units[i]!.eEmp, EMP[y]!);
  const unemp = shareOf(p2064, (i) => 0.5 * covid * z[i]! + units[i]!.eUnemp, UNEMP[y]!);
  const unempPersons = Float64Array.from(unemp, (u, i) => u * p2064[i]!);
  const ltuShare = shareOf(unempPersons, (i) => 0.22 * z[i]! + units[i]!.eLtu, LTU_SHARE[y]!);
  const ea = shareOf(p2064, (i) => 0.85 * z[i]! + units[i]!.eEa, EA[y]!);
  const eduPop = Float64Array.from(pop, (p, i) => p * ageEdu[i]!);
  // Rural areas and small kommuner have less education (Bjurholm, Pajala: few with a degree [S12]).
  const pre = shareOf(eduPop, (i) => 0.55 * z[i]! + 0.5 * fb[i]! + RURAL_PRE * units[i]!.rural + units[i]!.ePre, EDU_PRE[y]!);
  const post = shareOf(eduPop, (i) => -0.5 * z[i]! + kommuner[units[i]!.kommun]!.eduBoost + units[i]!.ePost, EDU_POST[y]!);
  const postPersons = Float64Array.from(post, (p, i) => p * eduPop[i]!);
  const long = shareOf(postPersons, (i) => -0.25 * z[i]! + 0.5 * kommuner[units[i]!.kommun]!.eduBoost + units[i]!.eLong, EDU_LONG[y]!);

  // Income: persons' economic standard ~ N(mu, 1) within a DeSO; national cut points are solved on the
  // mixture so quartiles are national quartiles and low standard is < 60 % of the national median.
  // Pensioners, rural areas and small kommuner sit lower in the distribution: small inland kommuner have medians
  // below riket's.
  const mu = Float64Array.from(units, (u, i) => -0.35 * z[i]! - RURAL_INCOME * u.rural - 1.0 * (u.old - 0.2) + u.eInc);
  const quartileCuts = [0.25, 0.5, 0.75].map((q) => solveMixture(pop, mu, q));
  const lowCut = solveMixture(pop, mu, LOW_ES[y]!);
  // Kronor: economic standard = median × exp(s·(x − medianCut)), with s chosen so that 60 % of the median falls
  // exactly on lowCut; the classes of ES_CLASSES are then cut points on the same latent scale. No random draws.
  const medianCut = quartileCuts[1]!;
  const spread = Math.log(1 / 0.6) / (medianCut - lowCut);
  const esCuts = ES_CLASSES.slice(1).map(([, lo]) => medianCut + Math.log((lo * 1000) / MEDIAN_ES[y]!) / spread);
  // Every cut on one latent scale, in order, so each DeSO's persons are split once into intervals and the classes,
  // quartiles and low standard are sums of the same integers: they nest exactly (low_es ≤ qt1, and so on).
  const income = incomeIntervals(lowCut, quartileCuts, esCuts);

  // Men: fewer where the old are many (women live longer), more in rural areas and where recent (male-heavy)
  // immigration is large; calibrated to riket's share each year.
  const men = shareOf(pop, (i) => -0.25 * (units[i]!.old - 0.2) + 0.02 * units[i]!.rural + 0.03 * fb[i]! + units[i]!.eMen, MEN[y]!);

  // Tenure: the flat (non-owner) share depends on the kind of place; rental vs condo among flats on
  // disadvantage, kommun and a slow national shift towards condos.
  const dwellings = Float64Array.from(units, (u, i) => pop[i]! / (u.personsPerDwelling * (1 - 0.004 * t)));
  const flat = shareOf(dwellings, (i) => {
    const u = units[i]!;
    const k = kommunOf(kommuner, u);
    const place = u.letter === 'A' ? -1.3 : u.letter === 'B' ? -0.6 : 0.2 + 0.45 * Math.max(-1, k.urban);
    return place + 0.35 * z[i]! + u.eFlat;
  }, 1 - OWNER[y]!);
  const flats = Float64Array.from(flat, (f, i) => f * dwellings[i]!);
  const rental = shareOf(flats, (i) => 0.7 * z[i]! + kommunOf(kommuner, units[i]!).rentTilt + units[i]!.eRent, RENTAL_OF_FLATS[y]!);

  const turnoutTarget = TURNOUT[year];
  const eligibleShare = Float64Array.from(units, (_, i) => age18[i]! * (1 - 0.07 * fb[i]!));
  const eligible = Float64Array.from(pop, (p, i) => p * eligibleShare[i]!);
  const turnout = turnoutTarget === undefined
    ? null
    : shareOf(eligible, (i) => {
      // The 2022 fall was largest where turnout was already low [S60]–[S62]: a steeper slope.
      const slope = year === 2022 ? 0.36 : 0.28;
      const k = kommunOf(kommuner, units[i]!);
      return -slope * z[i]! - 1.2 * (fb[i]! - 0.25) + k.turnoutEffect + (TURNOUT_TILT[k.code] ?? 0) + units[i]!.eTurn;
    }, turnoutTarget);

  const crowdShare = shareOf(pop, (i) => 0.5 * z[i]! + 2.4 * fb[i]! + 1.2 * flat[i]! + units[i]!.eCrowd, CROWD[y]!);
  const crowdExpected = Float64Array.from(crowdShare, (c, i) => c * pop[i]!);

  const counts = new Map<string, DesoCounts>();
  units.forEach((u, i) => {
    const P = pop[i]!;
    const bgForeign = Math.round(P * fb[i]!);
    const menN = Math.round(P * men[i]!);
    // Among foreign background a little more men than among Swedish background; kept feasible for both parts.
    const menShareForeign = sigmoid(logit(men[i]!) + 0.02 + u.eMenForeign);
    const menForeign = clamp(Math.round(bgForeign * menShareForeign), Math.max(0, menN - (P - bgForeign)), Math.min(bgForeign, menN));
    const inc = income.split(P, mu[i]!);

    // Persons by tenure of their dwelling: dwellings times persons per dwelling by tenure; those in special housing
    // or without a known dwelling (övrigt) are more where the old are many.
    const Dw = Math.round(dwellings[i]!);
    const unknownDw = 0.002 + 0.004 * (u.eRent > 1 ? 1 : 0);
    const f = flat[i]! * (1 - unknownDw);
    const dw = largestRemainder(Dw, [f * rental[i]!, f * (1 - rental[i]!), (1 - flat[i]!) * (1 - unknownDw), unknownDw]);
    const otherShare = clamp((0.016 + 0.05 * Math.max(0, u.old - 0.2)) * Math.exp(u.eOther), 0.002, 0.08);
    const ptOther = Math.min(P, Math.round(P * otherShare) + dw[3]!);
    // Crowding in the rentals of disadvantaged areas: more persons per rented flat there.
    const rentalSize = PERSONS_PER_DWELLING.rental * Math.exp(0.08 * clamp(z[i]!, -1.5, 3));
    const pt = largestRemainder(P - ptOther, [dw[2]! * PERSONS_PER_DWELLING.owner, dw[1]! * PERSONS_PER_DWELLING.condo, dw[0]! * rentalSize]);

    const P2064 = Math.round(p2064[i]!);
    const empN = Math.min(P2064, Math.round(P2064 * emp[i]!));
    const unempN = Math.min(P2064 - empN, Math.round(P2064 * unemp[i]!));
    const ltuN = Math.min(unempN, Math.round(unempN * ltuShare[i]!));
    const eaN = Math.min(P2064 - empN, Math.round(P2064 * ea[i]!));
    // Many long-term unemployed also live on assistance; the overlap keeps ea_or_ltu between max and sum.
    const overlap = Math.min(eaN, ltuN, Math.round(Math.min(eaN, ltuN) * 0.35));
    const eaOrLtu = Math.min(P2064, eaN + ltuN - overlap);
    const preShare = pre[i]!;
    const pre2064 = Math.min(P2064, Math.round(P2064 * preShare * 0.98));

    const E = Math.round(eduPop[i]!);
    const missing = clamp(0.004 + 0.045 * fb[i]! * Math.exp(u.eMiss), 0, 0.1);
    const postShare = post[i]!;
    const longShare = long[i]!;
    const upper = Math.max(0.05, 1 - preShare - postShare - missing);
    const edu = largestRemainder(E, [preShare, upper, postShare * (1 - longShare), postShare * longShare, missing]);

    let votersEligible = 0;
    let votersVoted = 0;
    if (turnout) {
      votersEligible = Math.round(eligible[i]!);
      votersVoted = Math.min(votersEligible, Math.round(votersEligible * turnout[i]!));
    }

    counts.set(u.code, {
      pop: P,
      bg_foreign: bgForeign,
      bg_swedish: P - bgForeign,
      men: menN,
      bg_foreign_men: menForeign,
      bg_swedish_men: menN - menForeign,
      qt1: inc.quartiles[0]!, qt2: inc.quartiles[1]!, qt3: inc.quartiles[2]!, qt4: inc.quartiles[3]!,
      low_es: inc.low,
      pop_20_64: P2064,
      emp_20_64: empN,
      unemp_20_64: unempN,
      ltu_20_64: ltuN,
      ea_20_64: eaN,
      ea_or_ltu_20_64: eaOrLtu,
      pre_20_64: pre2064,
      edu_pop: E,
      edu_pre: edu[0]!, edu_upper: edu[1]!, edu_post_short: edu[2]!, edu_post_long: edu[3]!, edu_missing: edu[4]!,
      dw_rental: dw[0]!, dw_condo: dw[1]!, dw_owner: dw[2]!, dw_unknown: dw[3]!,
      pt_owner: pt[0]!, pt_condo: pt[1]!, pt_rental: pt[2]!, pt_other: ptOther,
      voters_eligible: votersEligible,
      voters_voted: votersVoted,
      es_lt100: inc.classes[0]!, es_100_149: inc.classes[1]!, es_150_199: inc.classes[2]!, es_200_249: inc.classes[3]!,
      es_250_299: inc.classes[4]!, es_300_349: inc.classes[5]!, es_350_399: inc.classes[6]!, es_400_499: inc.classes[7]!,
      es_500_599: inc.classes[8]!, es_600_799: inc.classes[9]!, es_800plus: inc.classes[10]!,
    });
  });
  return { counts, crowdExpected };
}

interface IncomeSplit {
  low: number;
  quartiles: number[];
  classes: number[];
}

/**
 * The income cut points of a year merged into one ordered list of intervals on the latent scale; `split` divides a
 * DeSO's persons (latent mean mu, SD 1) over the intervals once (largest remainder) and sums them into low economic
 * standard, the four quartiles and the eleven ES_CLASSES.
 */
function incomeIntervals(lowCut: number, quartileCuts: number[], esCuts: number[]): { split(P: number, mu: number): IncomeSplit } {
  // Kinds: 0 = low-standard cut, 1 = quartile cut, 2 = class cut. Ties keep all (an empty interval is harmless).
  const cuts = [[lowCut, 0] as const, ...quartileCuts.map((c) => [c, 1] as const), ...esCuts.map((c) => [c, 2] as const)].sort((a, b) => a[0] - b[0]);
  // For each interval (n = cuts + 1): which quartile and class it is in, and whether it lies below the low cut.
  const quartileOf: number[] = [];
  const classOf: number[] = [];
  const isLow: boolean[] = [];
  let q = 0;
  let c = 0;
  let low = true;
  for (let k = 0; k <= cuts.length; k++) {
    quartileOf.push(q);
    classOf.push(c);
    isLow.push(low);
    const kind = cuts[k]?.[1];
    if (kind === 0) low = false;
    else if (kind === 1) q++;
    else if (kind === 2) c++;
  }
  const weights = new Array<number>(cuts.length + 1).fill(0);
  return {
    split(P: number, mu: number): IncomeSplit {
      let before = 0;
      for (let k = 0; k < cuts.length; k++) {
        const at = normalCdf(cuts[k]![0] - mu);
        weights[k] = at - before;
        before = at;
      }
      weights[cuts.length] = 1 - before;
      const n = largestRemainder(P, weights);
      const out: IncomeSplit = { low: 0, quartiles: [0, 0, 0, 0], classes: new Array<number>(ES_CLASSES.length).fill(0) };
      n.forEach((v, k) => {
        if (isLow[k]) out.low += v;
        out.quartiles[quartileOf[k]!]! += v;
        out.classes[classOf[k]!]! += v;
      });
      return out;
    },
  };
}

function kommunOf(kommuner: Kommun[], u: Unit): Kommun {
  return kommuner[u.kommun]!;
}

function kommunYear(y: number, kommuner: Kommun[], units: Unit[], counts: Map<string, DesoCounts>, crowdExpected: Float64Array, rng: Rng): Map<string, KommunCounts> {
  const pop = new Float64Array(kommuner.length);
  const crowd = new Float64Array(kommuner.length);
  const zSum = new Float64Array(kommuner.length);
  const fbSum = new Float64Array(kommuner.length);
  const childSum = new Float64Array(kommuner.length);
  /** Years since 2017 (−1 for 2016). */
  const t = y - Y2017;
  units.forEach((u, i) => {
    const c = counts.get(u.code)!;
    childSum[u.kommun]! += c.pop * (u.child - 0.0006 * t);
    pop[u.kommun]! += c.pop;
    crowd[u.kommun]! += crowdExpected[i]!;
    zSum[u.kommun]! += c.pop * u.z[y]!;
    fbSum[u.kommun]! += c.bg_foreign;
  });

  // Crime: bigger and poorer kommuner report more per head [S66]; scaled so riket hits its rate.
  const rawRate = kommuner.map((k, ki) => k.crimeFactor * Math.exp(0.15 * (zSum[ki]! / pop[ki]!) + rng.normal(0, 0.04)));
  const totalPop = pop.reduce((a, b) => a + b, 0);
  const rateScale = (CRIME[y]! * totalPop) / rawRate.reduce((a, r, ki) => a + r * pop[ki]!, 0);

  // School: eligibility falls with kommun disadvantage and foreign background; intercept solved on pupils.
  // Year-9 pupils: one twentieth of the 0–19 population, times a national cohort trend (≈106k in 2017 to
  // ≈125k in 2024, assumed) and a persistent kommun factor; cohorts move smoothly from year to year.
  const pupils = kommuner.map((k, ki) => Math.round((childSum[ki]! / 20) * (0.915 + 0.02 * t) * k.cohort * Math.exp(rng.normal(0, 0.015))));
  const schoolX = Float64Array.from(kommuner, (k, ki) => -0.3 * (zSum[ki]! / pop[ki]!) - 1.2 * (fbSum[ki]! / pop[ki]! - 0.25) + k.schoolEffect + rng.normal(0, 0.12));
  const a = solveLogistic(Float64Array.from(pupils), schoolX, ELIGIBLE[y]!);

  const out = new Map<string, KommunCounts>();
  kommuner.forEach((k, ki) => {
    const P = pop[ki]!;
    // A few persons are not in the dwelling register; they are outside the overcrowding population.
    const crowdPop = P - Math.round(P * 0.004);
    const unknown = Math.round(crowdPop * k.crowdUnknown);
    const norm2 = Math.min(crowdPop - unknown, Math.round((crowd[ki]! / P) * (crowdPop - unknown)));
    const n9 = pupils[ki]!;
    out.set(k.code, {
      crowd_pop: crowdPop,
      crowd_norm2: norm2,
      crowd_unknown: unknown,
      crimes_reported: Math.round((P * rawRate[ki]! * rateScale) / 1000),
      pupils_9: n9,
      pupils_9_eligible: Math.min(n9, Math.round(n9 * sigmoid(a + schoolX[ki]!))),
    });
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Area records.

function buildAreaRecords(official: OfficialAreas, kommuner: Kommun[], regsos: Regso[], units: Unit[], units2025: Unit[]): AreaRecord[] {
  const out: AreaRecord[] = [{ code: '00', level: 'riket', version: 'riket', name: 'Riket', kommun_code: null, lan_code: null, regso_code: null }];
  for (const l of official.lan) out.push({ code: l.code, level: 'lan', version: 'lan1998', name: l.name, kommun_code: null, lan_code: l.code, regso_code: null });
  for (const k of kommuner) out.push({ code: k.code, level: 'kommun', version: 'kommun2003', name: k.name, kommun_code: k.code, lan_code: k.lan, regso_code: null });
  // RegSO records name themselves as their RegSO so joins on regso_code work at both levels.
  for (const version of ['RegSO2020', 'RegSO2025'] as const) {
    for (const r of regsos) {
      const k = kommuner[r.kommun]!;
      out.push({ code: r.code, level: 'regso', version, name: r.name, kommun_code: k.code, lan_code: k.lan, regso_code: r.code });
    }
  }
  for (const [version, list] of [['DeSO2018', units], ['DeSO2025', units2025]] as const) {
    for (const u of list) {
      const k = kommuner[u.kommun]!;
      out.push({ code: u.code, level: 'deso', version, name: `${k.name} ${u.code.slice(4)}`, kommun_code: k.code, lan_code: k.lan, regso_code: regsos[u.regso]!.code });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Numerics.

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function logit(p: number): number {
  return Math.log(p / (1 - p));
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function pad3(n: number): string {
  return String(n).padStart(3, '0');
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 on erf; error < 1.5e-7, ample for shares). */
function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x) / Math.SQRT2);
  const y = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - y * Math.exp(-(x * x) / 2);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** a such that Σ w·σ(a + x) / Σ w = target (Newton, guarded by bisection bounds). */
function solveLogistic(w: Float64Array, x: Float64Array, target: number): number {
  let total = 0;
  for (let i = 0; i < w.length; i++) total += w[i]!;
  if (total <= 0) return logit(target);
  let a = logit(target);
  let lo = -30;
  let hi = 30;
  for (let it = 0; it < 60; it++) {
    let f = 0;
    let d = 0;
    for (let i = 0; i < w.length; i++) {
      const s = sigmoid(a + x[i]!);
      f += w[i]! * s;
      d += w[i]! * s * (1 - s);
    }
    f = f / total - target;
    if (Math.abs(f) < 1e-10) break;
    if (f > 0) hi = a;
    else lo = a;
    const step = d > 0 ? a - (f * total) / d : (lo + hi) / 2;
    a = step > lo && step < hi ? step : (lo + hi) / 2;
  }
  return a;
}

/** c such that Σ w·Φ(c − mu) / Σ w = q (Newton on the mixture CDF, kept inside a shrinking bracket). */
function solveMixture(w: Float64Array, mu: Float64Array, q: number): number {
  let total = 0;
  let mean = 0;
  for (let i = 0; i < w.length; i++) {
    total += w[i]!;
    mean += w[i]! * mu[i]!;
  }
  let lo = -12;
  let hi = 12;
  let c = mean / total;
  for (let it = 0; it < 60; it++) {
    let f = 0;
    let d = 0;
    for (let i = 0; i < w.length; i++) {
      const x = c - mu[i]!;
      f += w[i]! * normalCdf(x);
      d += w[i]! * Math.exp(-0.5 * x * x);
    }
    f = f / total - q;
    if (Math.abs(f) < 1e-9) break;
    if (f > 0) hi = c;
    else lo = c;
    d = d / (total * Math.sqrt(2 * Math.PI));
    const next = d > 0 ? c - f / d : (lo + hi) / 2;
    c = next > lo && next < hi ? next : (lo + hi) / 2;
  }
  return c;
}

/** Root of an increasing function on [lo, hi]. */
function bisect(lo: number, hi: number, f: (x: number) => number, iterations = 60): number {
  for (let it = 0; it < iterations; it++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Piecewise-linear through points; beyond the last point it continues with the last slope (or `slope`), before the
 * first with the first segment's (2016, before the 2017 anchors).
 */
function interpolate(points: [number, number][], x: number, slope: number): number {
  const first = points[0]!;
  if (points.length === 1) return first[1] + slope * (x - first[0]);
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1]!;
    const [x1, y1] = points[i]!;
    if (x <= x1) return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
  }
  const [xa, ya] = points[points.length - 2]!;
  const [xb, yb] = points[points.length - 1]!;
  return yb + ((yb - ya) / (xb - xa)) * (x - xb);
}

/** Integers proportional to weights that sum exactly to total (Hamilton's method, ties by index). */
function largestRemainder(total: number, weights: readonly number[]): number[] {
  const n = weights.length;
  if (n === 0) return [];
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.max(0, weights[i]!);
  const out = new Array<number>(n).fill(0);
  if (sum <= 0) {
    out[0] = total;
    return out;
  }
  const frac = new Array<number>(n);
  let rest = total;
  for (let i = 0; i < n; i++) {
    const exact = (Math.max(0, weights[i]!) / sum) * total;
    const whole = Math.floor(exact);
    out[i] = whole;
    frac[i] = exact - whole;
    rest -= whole;
  }
  if (rest <= 0) return out;
  // Most calls split one DeSO into a handful of parts: picking the largest remainder `rest` times is cheaper
  // there than sorting; the kommun-wide calls sort.
  if (n <= 16) {
    for (; rest > 0; rest--) {
      let best = 0;
      for (let i = 1; i < n; i++) if (frac[i]! > frac[best]!) best = i;
      out[best]! += 1;
      frac[best] = -1;
    }
    return out;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => frac[b]! - frac[a]! || a - b);
  for (let j = 0; rest > 0; j = (j + 1) % n, rest--) out[order[j]!]! += 1;
  return out;
}

