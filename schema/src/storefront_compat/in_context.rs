//! `@inContext(country, language)`: the buyer's country and language, given once for the
//! whole operation. Storefronts written for Shopify send it on every query (Hydrogen always
//! does), so the endpoint accepts it; the country picks the currency prices are shown in
//! when the store prices in that country's currency, else the store's default currency.
//! The language is accepted and not used: shopgraph keeps one language per store.

use crate::common::money::CurrencyCode;
use async_graphql::registry::{MetaDirective, MetaInputValue, Registry};
use async_graphql::{
    Context, ContextDirective, CustomDirective, CustomDirectiveFactory, Enum, InputType, Name,
    ServerResult, Value, parser::types::Directive,
};
use std::borrow::Cow;

const DIRECTIVE: &str = "inContext";

/// Declares `@inContext` so documents using it validate; it is read from the operation by
/// [`country_of`], never executed per field.
pub struct InContextDirective;

impl CustomDirectiveFactory for InContextDirective {
    fn name(&self) -> Cow<'static, str> {
        Cow::Borrowed(DIRECTIVE)
    }

    fn register(&self, registry: &mut Registry) {
        let country = Option::<CountryCode>::create_type_info(registry);
        let language = Option::<LanguageCode>::create_type_info(registry);
        let argument = |name: &str, ty: String, description: &str| MetaInputValue {
            name: name.to_owned(),
            description: Some(description.to_owned()),
            ty,
            deprecation: Default::default(),
            default_value: None,
            visible: None,
            inaccessible: false,
            tags: Vec::new(),
            is_secret: false,
            directive_invocations: Vec::new(),
        };
        let args = [
            argument(
                "country",
                country,
                "The buyer's country: prices are shown in its currency where the store has one.",
            ),
            argument(
                "language",
                language,
                "Accepted for compatibility; the store has one language.",
            ),
        ]
        .into_iter()
        .map(|arg| (arg.name.clone(), arg))
        .collect();
        registry.add_directive(MetaDirective {
            name: DIRECTIVE.to_owned(),
            description: Some("The buyer's country and language for the whole operation.".into()),
            locations: vec![
                async_graphql::registry::__DirectiveLocation::QUERY,
                async_graphql::registry::__DirectiveLocation::MUTATION,
            ],
            args,
            is_repeatable: false,
            visible: None,
            composable: None,
        });
    }

    fn create(
        &self,
        _ctx: &ContextDirective<'_>,
        _directive: &Directive,
    ) -> ServerResult<Box<dyn CustomDirective>> {
        // Only allowed on operations, which async-graphql never asks to create.
        Ok(Box::new(NoFieldEffect))
    }
}

struct NoFieldEffect;

impl CustomDirective for NoFieldEffect {}

/// The country `@inContext` names on the running operation, if any.
pub fn country_of(ctx: &Context<'_>) -> Option<CountryCode> {
    let env = ctx.query_env;
    let directive = env
        .operation
        .node
        .directives
        .iter()
        .find(|d| d.node.name.node == DIRECTIVE)?;
    let argument = directive.node.get_argument("country")?;
    let value = argument
        .node
        .clone()
        .into_const_with(|name: Name| env.variables.get(&name).cloned().ok_or(()))
        .ok()?;
    // Written in the document it is an enum value; sent in JSON variables, a string.
    let name = match value {
        Value::Enum(name) => name,
        Value::String(text) => Name::new(text),
        _ => return None,
    };
    CountryCode::parse(Some(Value::Enum(name))).ok()
}

/// The currency to show prices in: the country's when the store prices in it, else the
/// store's default.
pub fn currency_for(country: Option<CountryCode>, default: CurrencyCode) -> CurrencyCode {
    country.and_then(CountryCode::currency).unwrap_or(default)
}

/// Defines an enum of codes whose GraphQL values are the codes themselves.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($code:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
        #[graphql(rename_items = "UPPERCASE")]
        #[allow(clippy::upper_case_acronyms, non_camel_case_types)]
        pub enum $name { $($code),+ }
    };
}

code_enum!(
    /// ISO 3166-1 alpha-2 country codes.
    CountryCode {
        AC, AD, AE, AF, AG, AI, AL, AM, AN, AO, AQ, AR, AS, AT, AU, AW, AX, AZ, BA, BB, BD, BE,
        BF, BG, BH, BI, BJ, BL, BM, BN, BO, BQ, BR, BS, BT, BV, BW, BY, BZ, CA, CC, CD, CF, CG,
        CH, CI, CK, CL, CM, CN, CO, CR, CU, CV, CW, CX, CY, CZ, DE, DJ, DK, DM, DO, DZ, EC, EE,
        EG, EH, ER, ES, ET, FI, FJ, FK, FM, FO, FR, GA, GB, GD, GE, GF, GG, GH, GI, GL, GM, GN,
        GP, GQ, GR, GS, GT, GU, GW, GY, HK, HM, HN, HR, HT, HU, ID, IE, IL, IM, IN, IO, IQ, IR,
        IS, IT, JE, JM, JO, JP, KE, KG, KH, KI, KM, KN, KP, KR, KW, KY, KZ, LA, LB, LC, LI, LK,
        LR, LS, LT, LU, LV, LY, MA, MC, MD, ME, MF, MG, MH, MK, ML, MM, MN, MO, MP, MQ, MR, MS,
        MT, MU, MV, MW, MX, MY, MZ, NA, NC, NE, NF, NG, NI, NL, NO, NP, NR, NU, NZ, OM, PA, PE,
        PF, PG, PH, PK, PL, PM, PN, PR, PS, PT, PW, PY, QA, RE, RO, RS, RU, RW, SA, SB, SC, SD,
        SE, SG, SH, SI, SJ, SK, SL, SM, SN, SO, SR, SS, ST, SV, SX, SY, SZ, TA, TC, TD, TF, TG,
        TH, TJ, TK, TL, TM, TN, TO, TR, TT, TV, TW, TZ, UA, UG, UM, US, UY, UZ, VA, VC, VE, VG,
        VI, VN, VU, WF, WS, XK, YE, YT, ZA, ZM, ZW, ZZ,
    }
);

code_enum!(
    /// ISO 639-1 language codes (with the regional variants storefronts commonly send).
    LanguageCode {
        AF, AK, AM, AR, AS, AZ, BE, BG, BM, BN, BO, BR, BS, CA, CE, CS, CY, DA, DE, DZ, EE, EL,
        EN, EO, ES, ET, EU, FA, FF, FI, FIL, FO, FR, FY, GA, GD, GL, GU, GV, HA, HE, HI, HR, HU,
        HY, IA, ID, IG, II, IS, IT, JA, JV, KA, KI, KK, KL, KM, KN, KO, KS, KU, KW, KY, LA, LB,
        LG, LN, LO, LT, LU, LV, MG, MI, MK, ML, MN, MR, MS, MT, MY, NB, ND, NE, NL, NN, NO, OM,
        OR, OS, PA, PL, PS, PT, PT_BR, PT_PT, QU, RM, RN, RO, RU, RW, SA, SC, SD, SE, SG, SI,
        SK, SL, SN, SO, SQ, SR, SU, SV, SW, TA, TE, TG, TH, TI, TK, TO, TR, TT, UG, UK, UR, UZ,
        VI, WO, XH, YI, YO, ZH, ZH_CN, ZH_TW, ZU,
    }
);

impl CountryCode {
    /// The country's currency, when the store can price in it.
    pub fn currency(self) -> Option<CurrencyCode> {
        use CountryCode::*;
        Some(match self {
            US | PR | EC | SV | PA | TL | FM | MH | PW | BQ | TC | VG | UM | IO => {
                CurrencyCode::Usd
            }
            AT | BE | HR | CY | EE | FI | FR | DE | GR | IE | IT | LV | LT | LU | MT | NL | PT
            | SK | SI | ES | AD | MC | SM | VA | ME | XK | AX | GF | GP | MQ | YT | RE | BL
            | MF | PM | TF => CurrencyCode::Eur,
            GB | GG | IM | JE | GS => CurrencyCode::Gbp,
            CA => CurrencyCode::Cad,
            AU | CX | CC | HM | KI | NF | NR | TV => CurrencyCode::Aud,
            CH | LI => CurrencyCode::Chf,
            JP => CurrencyCode::Jpy,
            SE => CurrencyCode::Sek,
            NO | SJ | BV => CurrencyCode::Nok,
            DK | FO | GL => CurrencyCode::Dkk,
            PL => CurrencyCode::Pln,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_map_to_the_currencies_the_store_prices_in() {
        assert_eq!(
            currency_for(Some(CountryCode::DE), CurrencyCode::Usd),
            CurrencyCode::Eur
        );
        assert_eq!(
            currency_for(Some(CountryCode::GB), CurrencyCode::Usd),
            CurrencyCode::Gbp
        );
        assert_eq!(
            currency_for(Some(CountryCode::BR), CurrencyCode::Eur),
            CurrencyCode::Eur
        );
        assert_eq!(currency_for(None, CurrencyCode::Gbp), CurrencyCode::Gbp);
    }
}
