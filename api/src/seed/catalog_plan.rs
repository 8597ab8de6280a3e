//! The shape of the demo catalog: its category tree and the words products are made of.

/// A category of the demo tree: slug, name, parent slug, and the kind of product it holds.
pub struct CategorySeed {
    pub slug: &'static str,
    pub name: &'static str,
    pub parent: Option<&'static str>,
    pub goods: Option<Goods>,
}

/// What products of a leaf category are called and how their variants differ.
#[derive(Copy, Clone)]
pub struct Goods {
    pub nouns: &'static [&'static str],
    pub option_name: &'static str,
    pub option_values: [&'static str; 3],
    /// Base price range in USD cents.
    pub price_cents: (i64, i64),
}

const APPAREL_SIZES: [&str; 3] = ["S", "M", "L"];
const SHOE_SIZES: [&str; 3] = ["40", "42", "44"];
const COLOURS: [&str; 3] = ["Black", "Sand", "Olive"];

pub const CATEGORIES: &[CategorySeed] = &[
    CategorySeed {
        slug: "apparel",
        name: "Apparel",
        parent: None,
        goods: None,
    },
    CategorySeed {
        slug: "t-shirts",
        name: "T-Shirts",
        parent: Some("apparel"),
        goods: Some(Goods {
            nouns: &["T-Shirt", "Tee", "Pocket Tee"],
            option_name: "Size",
            option_values: APPAREL_SIZES,
            price_cents: (1500, 4500),
        }),
    },
    CategorySeed {
        slug: "hoodies",
        name: "Hoodies",
        parent: Some("apparel"),
        goods: Some(Goods {
            nouns: &["Hoodie", "Zip Hoodie", "Sweatshirt"],
            option_name: "Size",
            option_values: APPAREL_SIZES,
            price_cents: (4500, 9500),
        }),
    },
    CategorySeed {
        slug: "jackets",
        name: "Jackets",
        parent: Some("apparel"),
        goods: Some(Goods {
            nouns: &["Jacket", "Parka", "Windbreaker"],
            option_name: "Size",
            option_values: APPAREL_SIZES,
            price_cents: (8000, 25000),
        }),
    },
    CategorySeed {
        slug: "footwear",
        name: "Footwear",
        parent: None,
        goods: None,
    },
    CategorySeed {
        slug: "sneakers",
        name: "Sneakers",
        parent: Some("footwear"),
        goods: Some(Goods {
            nouns: &["Sneaker", "Runner", "Trainer"],
            option_name: "Size",
            option_values: SHOE_SIZES,
            price_cents: (6000, 18000),
        }),
    },
    CategorySeed {
        slug: "boots",
        name: "Boots",
        parent: Some("footwear"),
        goods: Some(Goods {
            nouns: &["Boot", "Chelsea Boot", "Hiking Boot"],
            option_name: "Size",
            option_values: SHOE_SIZES,
            price_cents: (9000, 26000),
        }),
    },
    CategorySeed {
        slug: "home",
        name: "Home",
        parent: None,
        goods: None,
    },
    CategorySeed {
        slug: "kitchen",
        name: "Kitchen",
        parent: Some("home"),
        goods: Some(Goods {
            nouns: &["Mug", "Bowl", "Teapot"],
            option_name: "Colour",
            option_values: COLOURS,
            price_cents: (1200, 6000),
        }),
    },
    CategorySeed {
        slug: "decor",
        name: "Decor",
        parent: Some("home"),
        goods: Some(Goods {
            nouns: &["Vase", "Candle", "Throw"],
            option_name: "Colour",
            option_values: COLOURS,
            price_cents: (1800, 9000),
        }),
    },
];

pub const ADJECTIVES: &[&str] = &[
    "Classic",
    "Everyday",
    "Trail",
    "Urban",
    "Heritage",
    "Coastal",
    "Alpine",
    "Studio",
    "Weekend",
    "Essential",
    "Nordic",
    "Vintage",
    "Modern",
    "Rugged",
    "Soft",
];

pub const MATERIALS: &[&str] = &[
    "Cotton", "Linen", "Wool", "Denim", "Leather", "Canvas", "Fleece", "Ceramic", "Bamboo",
    "Recycled",
];

pub const BRANDS: &[&str] = &[
    "Northwind",
    "Acme Goods",
    "Fieldcraft",
    "Lumen",
    "Harbor & Co",
    "Kestrel",
    "Oakline",
    "Tidewater",
];

pub const ORIGINS: &[&str] = &["Portugal", "Japan", "USA", "Italy", "Vietnam", "Peru"];
