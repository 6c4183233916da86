//! The test harness, shared by every area module.
//!
//! A `TestApp` owns one fresh database (a SQLite file by default, a new PostgreSQL database when
//! TEST_DATABASE_URL is set; an unreachable URL fails the test, never skips it) and its own media
//! folder, so tests run in parallel. It is either served over HTTP on a free port
//! (`TestApp::spawn`) or executed in-process without HTTP (`TestApp::in_process`) for resolver,
//! guard and DataLoader tests; both answer the same calls:
//!
//! ```ignore
//! let app = TestApp::spawn().await;
//! let seller = app.seller().await;
//! let res = app.as_(&seller).graphql(QUERY, json!({ .. })).await;
//! assert_eq!(res.error_code(), Some("FORBIDDEN"));
//! ```
//!
//! Factories arrange data through GraphQL mutations wherever one exists, so tests keep compiling
//! when service signatures change. The few calls into library internals that arrange data
//! (`AppState::build`, `services::accounts`, `services::seed`, one entity update) are in
//! `seams` at the end of this file. Area modules use library types only to inspect the
//! database, or to test a library module itself (`auth_tokens` tests `JwtKeys`).

use std::path::PathBuf;

pub use pasar_oleh::domain::global_id::NodeKind;
use pasar_oleh::{
    domain::global_id::GlobalId,
    graphql::{self, AppSchema},
    startup::Application,
    state::AppState,
};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use tokio::sync::OnceCell;
use uuid::Uuid;

/// The password of every user a factory makes.
pub const PASSWORD: &str = "rahasia-123";

// ---------------------------------------------------------------------------------------------
// The application under test
// ---------------------------------------------------------------------------------------------

pub struct TestApp {
    state: AppState,
    schema: AppSchema,
    http: Option<Http>,
    /// An administrator made on first need, who arranges data for the factories.
    office: OnceCell<TestUser>,
    /// The clock requests read, when the test set one (`spawn_at`).
    clock: Option<pasar_oleh::jobs::ManualClock>,
}

struct Http {
    base: String,
    client: reqwest::Client,
}

impl TestApp {
    /// Served over HTTP on a free port; the database holds only reference data (regions,
    /// categories), so a test makes what it needs with the factories.
    pub async fn spawn() -> Self {
        Self::serve(test_state(false).await)
    }

    /// Served over HTTP with settings changed by `configure`, for tests of a limit.
    pub async fn spawn_with(configure: impl FnOnce(&mut pasar_oleh::settings::Settings)) -> Self {
        let dir = scratch_dir();
        let url = fresh_database_url(&dir).await;
        Self::serve(seams::build_state_with(url, dir, false, configure).await)
    }

    /// Two servers over one database and one Redis (TEST_REDIS_URL; in-process stores
    /// otherwise), as behind a load balancer.
    pub async fn spawn_pair(
        configure: impl Fn(&mut pasar_oleh::settings::Settings),
    ) -> (Self, Self) {
        let dir = scratch_dir();
        let url = fresh_database_url(&dir).await;
        let prefix = format!("test:{}:", Uuid::now_v7().simple());
        let shared = |settings: &mut pasar_oleh::settings::Settings| {
            settings.cache.redis_prefix = prefix.clone();
            configure(settings);
        };
        let a = seams::build_state_with(url.clone(), dir.clone(), false, &shared).await;
        let b = seams::build_state_with(url, dir, false, &shared).await;
        (Self::serve(a), Self::serve(b))
    }

    /// Served over HTTP with the clock stopped at `now`; `set_time` moves it.
    pub async fn spawn_at(now: chrono::DateTime<chrono::Utc>) -> Self {
        let clock = pasar_oleh::jobs::ManualClock::new(now);
        let mut state = test_state(false).await;
        state.clock = std::sync::Arc::new(clock.clone());
        let mut me = Self::serve(state);
        me.clock = Some(clock);
        me
    }

    /// Sets the time requests see; only for an app made with `spawn_at`.
    pub fn set_time(&self, now: chrono::DateTime<chrono::Utc>) {
        self.clock
            .as_ref()
            .expect("an app spawned with spawn_at")
            .set(now);
    }

    /// Served over HTTP with the demo catalogue, for tests that are about the demo data.
    pub async fn spawn_seeded() -> Self {
        Self::serve(test_state(true).await)
    }

    /// Executed in-process (no HTTP): each call resolves its credential as the HTTP layer does
    /// and runs the schema with that `Caller`.
    pub async fn in_process() -> Self {
        Self::local(test_state(false).await)
    }

    /// In-process, with the demo catalogue.
    pub async fn in_process_seeded() -> Self {
        Self::local(test_state(true).await)
    }

    fn serve(state: AppState) -> Self {
        let app = Application::with_state(state.clone()).expect("the server binds");
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        let mut me = Self::local(state);
        me.http = Some(Http {
            base,
            client: reqwest::Client::new(),
        });
        me
    }

    fn local(state: AppState) -> Self {
        let schema = graphql::build_schema(&state);
        TestApp {
            state,
            schema,
            http: None,
            office: OnceCell::new(),
            clock: None,
        }
    }

    /// The database, for tests that inspect what was (not) written.
    pub fn db(&self) -> &DatabaseConnection {
        &self.state.db
    }

    /// SQL statements run so far (for DataLoader bounds).
    /// A unit of work on this app's database and event bus, for tests of the seam itself.
    pub async fn begin(&self) -> pasar_oleh::services::tx::Tx {
        pasar_oleh::services::tx::Tx::begin(&self.state.db, &self.state.events)
            .await
            .expect("a transaction")
    }

    /// Listens to the domain events published from now on.
    pub fn events(&self) -> Events {
        Events(self.state.events.subscribe())
    }

    /// The media store of this app (local disk, or S3 when TEST_S3_ENDPOINT is set).
    pub fn media(&self) -> &pasar_oleh::infra::media::MediaStore {
        &self.state.media
    }

    /// A URL the app handed out, made reachable: links of the local store are built from
    /// `BIND`, which is port 0 in tests, so they are moved to the port the server got.
    pub fn reachable(&self, url: &str) -> String {
        let unbound = format!("http://{}", self.state.settings.bind);
        match url.strip_prefix(&unbound) {
            Some(path) => self.url(path),
            None => url.to_string(),
        }
    }

    /// Starts the app on the settings `configure` makes; the error when it refuses to start.
    pub async fn try_start(
        configure: impl FnOnce(&mut pasar_oleh::settings::Settings),
    ) -> Result<(), String> {
        seams::try_build_state(configure)
            .await
            .map(|_| ())
            .map_err(|e| format!("{e:#}"))
    }

    /// The application state (adapters), for tests that drive library parts such as the job
    /// runner directly.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The settings the app runs with.
    pub fn settings(&self) -> &pasar_oleh::settings::Settings {
        &self.state.settings
    }

    pub fn sql_statements(&self) -> u64 {
        self.state.statements.get()
    }

    /// Runs `query` anonymously on the schema as production builds it (introspection and
    /// suggestions off), in-process.
    pub async fn graphql_in_production(&self, query: &str) -> GqlResponse {
        let mut settings = (*self.state.settings).clone();
        settings.environment = pasar_oleh::settings::Environment::Production;
        let state = AppState {
            settings: std::sync::Arc::new(settings),
            ..self.state.clone()
        };
        let schema = graphql::build_schema(&state);
        let response = graphql::execute(&schema, &state, async_graphql::Request::new(query)).await;
        GqlResponse {
            status: 200,
            body: serde_json::to_value(&response).expect("a response serialises"),
        }
    }

    /// What one operation costs under the cost rules (`graphql::cost`), measured without running
    /// it; `None` when it does not validate. Panics when it breaks the alias or root-field cap.
    pub async fn cost_of(&self, query: &str, variables: Value) -> Option<usize> {
        let mut request = async_graphql::Request::new(query)
            .variables(async_graphql::Variables::from_json(variables));
        graphql::cost::measure(&self.schema, &mut request)
            .await
            .unwrap_or_else(|err| panic!("refused: {}", err.message()))
    }

    // --- calls -------------------------------------------------------------------------------

    /// A GraphQL call as an anonymous caller.
    pub async fn graphql(&self, query: &str, variables: Value) -> GqlResponse {
        self.as_(&Credential::Anonymous)
            .graphql(query, variables)
            .await
    }

    /// A request builder that signs as `who`: `app.as_(&seller).graphql(q, v)`.
    pub fn as_<'a>(&'a self, who: &impl Signer) -> As<'a> {
        As {
            app: self,
            credential: who.credential(),
        }
    }

    /// The server's base URL (HTTP apps only).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.http().base)
    }

    /// A plain HTTP request, for what is not a single GraphQL call (health, batches, media).
    pub fn http_get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http().client.get(self.url(path))
    }

    pub fn http_post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http().client.post(self.url(path))
    }

    fn http(&self) -> &Http {
        self.http
            .as_ref()
            .expect("this test needs TestApp::spawn, not in_process")
    }

    // --- factories: users --------------------------------------------------------------------

    /// A fresh signed-in buyer (an account with no other role).
    pub async fn buyer(&self) -> TestUser {
        let email = unique_email("pembeli");
        let res = self
            .graphql(
                "mutation($input: RegisterUserInput!) { register(input: $input) { user { id } userErrors { field code } } }",
                json!({ "input": { "email": email, "displayName": "Pembeli Uji", "password": PASSWORD } }),
            )
            .await;
        assert_eq!(res.user_errors(), vec![], "register: {res}");
        self.login(&email, PASSWORD).await
    }

    /// A fresh signed-in administrator.
    pub async fn admin(&self) -> TestUser {
        let email = unique_email("admin");
        seams::create_admin(&self.state, &email, PASSWORD).await;
        self.login(&email, PASSWORD).await
    }

    /// Signs in with the `login` mutation; panics unless it succeeds.
    pub async fn login(&self, identifier: &str, password: &str) -> TestUser {
        let res = self
            .graphql(
                "mutation($input: LoginInput!) { login(input: $input) { tokens { accessToken refreshToken } userErrors { code } } }",
                json!({ "input": { "identifier": identifier, "password": password } }),
            )
            .await;
        let tokens = &res["data"]["login"]["tokens"];
        let access = tokens["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("login of {identifier} failed: {res}"))
            .to_string();
        let refresh = tokens["refreshToken"].as_str().unwrap_or("").to_string();
        let me = self
            .as_(&Credential::Bearer(access.clone()))
            .graphql("{ viewer { user { id } } }", json!({}))
            .await;
        let id = me.data()["viewer"]["user"]["id"]
            .as_str()
            .and_then(|id| Uuid::parse_str(id).ok())
            .unwrap_or_else(|| panic!("viewer without a user ID: {me}"));
        TestUser {
            id,
            email: identifier.to_string(),
            password: password.to_string(),
            access_token: access,
            refresh_token: refresh,
        }
    }

    /// A fresh buyer who works at `outlet` (role OUTLET_STAFF).
    pub async fn staff(&self, outlet: &TestOutlet) -> TestUser {
        let user = self.buyer().await;
        let res = self
            .as_(self.office().await)
            .graphql(
                "mutation($o: ID!, $u: ID!) { assignOutletStaff(input: { outletId: $o, userId: $u }) { userErrors { field code } } }",
                json!({ "o": outlet.gid, "u": user.id.to_string() }),
            )
            .await;
        assert_eq!(res.user_errors(), vec![], "assignOutletStaff: {res}");
        user
    }

    /// A kiosk of `outlet`, registered by an administrator.
    pub async fn kiosk(&self, outlet: &TestOutlet) -> TestKiosk {
        let res = self
            .as_(self.office().await)
            .graphql(
                "mutation($o: ID!) { registerKiosk(input: { outletId: $o, name: \"Kiosk uji\" }) { kiosk { id } credential userErrors { field code } } }",
                json!({ "o": outlet.gid }),
            )
            .await;
        assert_eq!(res.user_errors(), vec![], "registerKiosk: {res}");
        let payload = &res["data"]["registerKiosk"];
        TestKiosk {
            id: payload["kiosk"]["id"].as_str().unwrap_or("").to_string(),
            credential: payload["credential"].as_str().unwrap_or("").to_string(),
        }
    }

    // --- factories: sellers, outlets, products -------------------------------------------------

    /// A fresh seller owned by a fresh user, verified by the office.
    pub async fn seller(&self) -> TestSeller {
        let seller = self.pending_seller().await;
        self.verify(&seller).await;
        seller
    }

    /// A fresh seller that applied and awaits verification.
    pub async fn pending_seller(&self) -> TestSeller {
        let name = format!("Usaha Uji {}", short_id());
        self.apply(seller_application(&name)).await
    }

    /// A fresh user applies with `application` (see `seller_application`); the seller is PENDING.
    pub async fn apply(&self, application: Value) -> TestSeller {
        let owner = self.buyer().await;
        let res = self
            .as_(&owner)
            .graphql(
                "mutation($i: SellerApplicationInput!) { applyAsSeller(input: $i) { seller { id slug businessName } userErrors { field code } } }",
                json!({ "i": application }),
            )
            .await;
        assert_eq!(res.user_errors(), vec![], "applyAsSeller: {res}");
        let seller = &res["data"]["applyAsSeller"]["seller"];
        let gid = seller["id"].as_str().unwrap_or("").to_string();
        TestSeller {
            id: parse_gid(&gid, NodeKind::Seller),
            gid,
            slug: seller["slug"].as_str().unwrap_or("").to_string(),
            business_name: seller["businessName"].as_str().unwrap_or("").to_string(),
            owner,
        }
    }

    /// The office verifies `seller`.
    pub async fn verify(&self, seller: &TestSeller) {
        let res = self
            .as_(self.office().await)
            .graphql(
                "mutation($s: ID!) { verifySeller(input: { sellerId: $s }) { userErrors { field code } } }",
                json!({ "s": seller.gid }),
            )
            .await;
        assert_eq!(res.user_errors(), vec![], "verifySeller: {res}");
    }

    /// A fresh open outlet in Tongas (village 35.13.23.2008), open on Mondays.
    pub async fn outlet(&self) -> TestOutlet {
        let code = format!("T-{}", short_id().to_uppercase());
        let res = self
            .as_(self.office().await)
            .graphql(
                "mutation($input: CreateOutletInput!) { createOutlet(input: $input) { outlet { id } userErrors { field code } } }",
                json!({ "input": {
                    "code": code, "name": format!("Kios {code}"), "restArea": "Rest Area Tongas",
                    "villageCode": "35.13.23.2008", "latitude": -7.7445, "longitude": 113.113,
                    "openingHours": [{ "weekday": "MONDAY", "opens": "07:00", "closes": "21:00" }]
                } }),
            )
            .await;
        assert_eq!(res.user_errors(), vec![], "createOutlet: {res}");
        let gid = res["data"]["createOutlet"]["outlet"]["id"]
            .as_str()
            .unwrap_or("")
            .to_string();
        TestOutlet {
            id: parse_gid(&gid, NodeKind::Outlet),
            gid,
            code,
        }
    }

    /// Gives `seller` a place at `outlet` (needed before setting stock there).
    pub async fn place(&self, seller_gid: &str, outlet: &TestOutlet) {
        let res = self
            .as_(self.office().await)
            .graphql(
                "mutation($o: ID!, $s: ID!) { assignSellerToOutlet(input: { outletId: $o, sellerId: $s }) { userErrors { field code } } }",
                json!({ "o": outlet.gid, "s": seller_gid }),
            )
            .await;
        assert_eq!(res.user_errors(), vec![], "assignSellerToOutlet: {res}");
    }

    /// A published (ACTIVE) product of a verified `seller`.
    pub async fn product(&self, seller: &TestSeller, new: NewProduct) -> TestProduct {
        let product = self.draft_product(seller, new).await;
        let res = self
            .as_(seller)
            .graphql(
                "mutation($p: ID!) { publishProduct(input: { productId: $p }) { userErrors { field code } } }",
                json!({ "p": product.gid }),
            )
            .await;
        assert_eq!(res.user_errors(), vec![], "publishProduct: {res}");
        product
    }

    /// A product of `seller` left as a DRAFT.
    pub async fn draft_product(&self, seller: &TestSeller, new: NewProduct) -> TestProduct {
        let category = category_id(new.category);
        let res = self
            .as_(seller)
            .graphql(
                "mutation($s: ID!, $p: ProductInput!) { createProduct(input: { sellerId: $s, product: $p }) { product { id slug } userErrors { field code } } }",
                json!({ "s": seller.gid, "p": {
                    "categoryId": category, "name": new.name, "description": new.description,
                    "price": new.price, "unitLabel": "pak", "halal": new.halal
                } }),
            )
            .await;
        assert_eq!(res.user_errors(), vec![], "createProduct: {res}");
        let product = &res["data"]["createProduct"]["product"];
        let gid = product["id"].as_str().unwrap_or("").to_string();
        TestProduct {
            id: parse_gid(&gid, NodeKind::Product),
            gid,
            slug: product["slug"].as_str().unwrap_or("").to_string(),
        }
    }

    /// Sets the stock of `product` at `outlet` (its seller must have a place there).
    pub async fn stock(&self, outlet: &TestOutlet, product: &TestProduct, quantity: i64) {
        let res = self
            .as_(self.office().await)
            .graphql(
                "mutation($o: ID!, $p: ID!, $q: Int!) { setStock(input: { outletId: $o, productId: $p, quantity: $q }) { userErrors { field code } } }",
                json!({ "o": outlet.gid, "p": product.gid, "q": quantity }),
            )
            .await;
        assert_eq!(res.user_errors(), vec![], "setStock: {res}");
    }

    /// Features `product` on the home page.
    pub async fn feature(&self, product: &TestProduct) {
        let res = self
            .as_(self.office().await)
            .graphql(
                "mutation($p: ID!) { setProductFeatured(input: { productId: $p, featured: true }) { userErrors { field code } } }",
                json!({ "p": product.gid }),
            )
            .await;
        assert_eq!(res.user_errors(), vec![], "setProductFeatured: {res}");
    }

    /// Suspends `seller` (an office decision, with a reason).
    pub async fn suspend(&self, seller: &TestSeller) {
        self.decide("suspendSeller", seller).await;
    }

    /// Rejects the application of `seller` (an office decision, with a reason).
    pub async fn reject(&self, seller: &TestSeller) {
        self.decide("rejectSeller", seller).await;
    }

    async fn decide(&self, mutation: &str, seller: &TestSeller) {
        let res = self
            .as_(self.office().await)
            .graphql(
                &format!("mutation($s: ID!) {{ {mutation}(input: {{ sellerId: $s, reason: \"uji\" }}) {{ userErrors {{ field code }} }} }}"),
                json!({ "s": seller.gid }),
            )
            .await;
        assert_eq!(res.user_errors(), vec![], "{mutation}: {res}");
    }

    /// Makes the halal certificate of `seller` expire yesterday. No mutation accepts a past
    /// expiry date, so this writes the database.
    pub async fn expired_halal_certificate(&self, seller: &TestSeller) {
        seams::expire_halal_certificate(&self.state, seller.id).await;
    }

    /// Gives `seller` a halal certificate valid through `last_day`.
    pub async fn halal_certificate_until(&self, seller: &TestSeller, last_day: chrono::NaiveDate) {
        seams::halal_certificate_until(&self.state, seller.id, last_day).await;
    }

    /// Ends every login of `user` as if `SESSION_MAX_DAYS` had passed.
    pub async fn end_sessions(&self, user: &TestUser) {
        seams::end_sessions(&self.state, user.id).await;
    }

    /// The administrator who arranges data for the factories.
    pub async fn office(&self) -> &TestUser {
        self.office.get_or_init(|| self.admin()).await
    }

    /// Executes one request: over HTTP, or in-process with the caller the HTTP layer would
    /// resolve from the same `Authorization` header (a refused credential answers 401 likewise).
    async fn send(&self, credential: &Credential, query: &str, variables: Value) -> GqlResponse {
        let authorization = credential.header();
        if let Some(http) = &self.http {
            let mut req = http
                .client
                .post(format!("{}/graphql", http.base))
                .json(&json!({ "query": query, "variables": variables }));
            if let Some(auth) = &authorization {
                req = req.header("authorization", auth);
            }
            let res = req.send().await.expect("the server answers");
            let status = res.status().as_u16();
            let body = res.json().await.expect("the body is JSON");
            // One GraphQL call answers 200, errors included, unless its credential is refused.
            assert!(
                status == 200 || (status == 401 && authorization.is_some()),
                "HTTP {status} for {query}: {body}"
            );
            return GqlResponse { status, body };
        }
        let caller = match seams::resolve_caller(&self.state, authorization.as_deref()).await {
            Ok(caller) => caller,
            Err(code) => {
                return GqlResponse {
                    status: 401,
                    body: json!({ "errors": [{ "message": "refused", "extensions": { "code": code } }] }),
                };
            }
        };
        let request = async_graphql::Request::new(query)
            .variables(async_graphql::Variables::from_json(variables));
        let response =
            graphql::execute_as(&self.schema, &self.state, request, caller, "test".into()).await;
        GqlResponse {
            status: 200,
            body: serde_json::to_value(&response).expect("a response serialises"),
        }
    }
}

/// A request about to be sent as someone.
pub struct As<'a> {
    app: &'a TestApp,
    credential: Credential,
}

impl As<'_> {
    pub async fn graphql(&self, query: &str, variables: Value) -> GqlResponse {
        self.app.send(&self.credential, query, variables).await
    }
}

// ---------------------------------------------------------------------------------------------
// Callers
// ---------------------------------------------------------------------------------------------

/// What a request carries in its `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    Anonymous,
    Bearer(String),
    Kiosk(String),
    /// A header sent as is (malformed or foreign schemes).
    Header(String),
}

impl Credential {
    fn header(&self) -> Option<String> {
        match self {
            Credential::Anonymous => None,
            Credential::Bearer(token) => Some(format!("Bearer {token}")),
            Credential::Kiosk(credential) => Some(format!("Kiosk {credential}")),
            Credential::Header(raw) => Some(raw.clone()),
        }
    }
}

/// Anyone a request can be sent as.
pub trait Signer {
    fn credential(&self) -> Credential;
}

impl Signer for Credential {
    fn credential(&self) -> Credential {
        self.clone()
    }
}

impl<T: Signer + ?Sized> Signer for &T {
    fn credential(&self) -> Credential {
        (**self).credential()
    }
}

/// A signed-in user with their tokens.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: Uuid,
    pub email: String,
    pub password: String,
    pub access_token: String,
    pub refresh_token: String,
}

impl Signer for TestUser {
    fn credential(&self) -> Credential {
        Credential::Bearer(self.access_token.clone())
    }
}

/// A seller and the user who owns it; requests signed by it are signed by the owner.
#[derive(Debug, Clone)]
pub struct TestSeller {
    pub id: Uuid,
    /// The global ID, as the API takes it.
    pub gid: String,
    pub slug: String,
    pub business_name: String,
    pub owner: TestUser,
}

impl Signer for TestSeller {
    fn credential(&self) -> Credential {
        self.owner.credential()
    }
}

#[derive(Debug, Clone)]
pub struct TestKiosk {
    /// The kiosk ID as the API gives it (a UUID).
    pub id: String,
    pub credential: String,
}

impl Signer for TestKiosk {
    fn credential(&self) -> Credential {
        Credential::Kiosk(self.credential.clone())
    }
}

#[derive(Debug, Clone)]
pub struct TestOutlet {
    pub id: Uuid,
    pub gid: String,
    pub code: String,
}

#[derive(Debug, Clone)]
pub struct TestProduct {
    pub id: Uuid,
    pub gid: String,
    pub slug: String,
}

/// What `TestApp::product` makes; `..NewProduct::default()` fills the rest.
#[derive(Debug, Clone)]
pub struct NewProduct {
    pub name: String,
    pub description: String,
    pub price: i64,
    /// A category slug of the reference tree.
    pub category: &'static str,
    pub halal: bool,
}

impl Default for NewProduct {
    fn default() -> Self {
        NewProduct {
            name: format!("Produk Uji {}", short_id()),
            description: "Oleh-oleh khas Probolinggo.".into(),
            price: 15_000,
            category: "keripik",
            halal: false,
        }
    }
}

/// A complete seller application (a food business with a P-IRT permit, so its food products
/// may be published).
pub fn seller_application(business_name: &str) -> Value {
    json!({
        "businessName": business_name, "ownerName": "Hadi Susanto", "description": "Kripik tempe renyah dari Leces.",
        "phone": "0813 3300 1122", "address": "Jl. Raya Leces RT 01 RW 02", "villageCode": "35.13.05.2001",
        "category": "KULINER", "scale": "MIKRO", "nib": unique_nib(), "pirtNumber": "2063513050001-29"
    })
}

/// A NIB no other seller of this test process holds (one NIB is one business; a second
/// application with it is refused as TAKEN). Starts with 92, unlike the fixed NIBs tests type.
pub fn unique_nib() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!(
        "92{:011}",
        (u64::from(std::process::id()) * 1_000_000 + n) % 100_000_000_000
    )
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

/// A GraphQL answer: the HTTP status (200 in-process unless the credential was refused) and
/// the JSON body. Index it like the body: `res["data"]["product"]`.
#[derive(Debug, Clone)]
pub struct GqlResponse {
    pub status: u16,
    pub body: Value,
}

/// One entry of a payload's `userErrors` (`field` is "" for rule errors without a field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError {
    pub field: String,
    pub code: String,
}

impl UserError {
    pub fn new(field: &str, code: &str) -> Self {
        UserError {
            field: field.into(),
            code: code.into(),
        }
    }
}

impl GqlResponse {
    /// Reads a raw HTTP answer (batches, headers of their own) into the same shape.
    pub async fn read(res: reqwest::Response) -> Self {
        let status = res.status().as_u16();
        let body = res.json().await.expect("the body is JSON");
        GqlResponse { status, body }
    }

    /// The data of a call that must succeed without errors.
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none_or(Value::is_null),
            "unexpected errors: {self}"
        );
        &self.body["data"]
    }

    /// The code (`extensions.code`) of the first error, if any.
    pub fn error_code(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["code"].as_str()
    }

    /// True when a `refreshToken` was refused (a failed login's shape: no tokens,
    /// INVALID_CREDENTIALS at input.refreshToken).
    pub fn refresh_refused(&self) -> bool {
        self.body["data"]["refreshToken"]["tokens"].is_null()
            && self.user_errors()
                == vec![UserError::new("input.refreshToken", "INVALID_CREDENTIALS")]
    }

    /// The `userErrors` of the payload of the (only) mutation in the request.
    pub fn user_errors(&self) -> Vec<UserError> {
        let payload = self.body["data"]
            .as_object()
            .and_then(|fields| fields.values().next())
            .unwrap_or_else(|| panic!("no payload: {self}"));
        payload["userErrors"]
            .as_array()
            .unwrap_or_else(|| panic!("no userErrors: {self}"))
            .iter()
            .map(|e| UserError {
                field: e["field"].as_str().unwrap_or("").to_string(),
                code: e["code"].as_str().unwrap_or("").to_string(),
            })
            .collect()
    }
}

impl std::ops::Index<&str> for GqlResponse {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        &self.body[key]
    }
}

impl std::fmt::Display for GqlResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.body)
    }
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

pub fn short_id() -> String {
    Uuid::new_v4().simple().to_string()[..12].to_string()
}

pub fn unique_email(prefix: &str) -> String {
    format!("{prefix}-{}@example.id", short_id())
}

/// The global ID of a category of the reference tree (loaded by the migrations).
pub fn category_id(slug: &str) -> String {
    GlobalId::new(NodeKind::Category, migration::category_id(slug)).encode()
}

/// The global ID the API gives an object of `kind`.
pub fn gid(kind: NodeKind, id: Uuid) -> String {
    GlobalId::new(kind, id).encode()
}

/// A global ID of `kind` for an ID that does not exist.
pub fn unknown_gid(kind: NodeKind) -> String {
    GlobalId::new(kind, Uuid::now_v7()).encode()
}

fn parse_gid(gid: &str, kind: NodeKind) -> Uuid {
    GlobalId::parse_kind(gid, kind, "id")
        .unwrap_or_else(|e| panic!("not a {kind:?} ID {gid}: {e:?}"))
}

pub fn is_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty())
}

pub fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pasar-oleh-test-{}", Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// A database URL no other test uses: a SQLite file in `dir`, or a fresh PostgreSQL database on
/// the server of TEST_DATABASE_URL (an unreachable server fails the test, never skips it).
pub async fn fresh_database_url(dir: &std::path::Path) -> String {
    match std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        None => format!("sqlite://{}?mode=rwc", dir.join("test.db").display()),
        Some(admin_url) => {
            let name = format!("pasar_test_{}", Uuid::now_v7().simple());
            let admin = Database::connect(&admin_url)
                .await
                .unwrap_or_else(|e| panic!("TEST_DATABASE_URL is set but unreachable: {e}"));
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("CREATE DATABASE");
            admin.close().await.expect("close");
            let (base, query) = match admin_url.split_once('?') {
                Some((base, query)) => (base, format!("?{query}")),
                None => (admin_url.as_str(), String::new()),
            };
            let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
            format!("{server}/{name}{query}")
        }
    }
}

/// The S3 store of the tests when TEST_S3_ENDPOINT is set (`.ci/run` starts s3s-fs), with a key
/// prefix of its own per test so tests never see each other's objects; `None` keeps media on local
/// disk in the test's scratch folder. An unreachable endpoint fails the test, never skips it.
pub fn test_s3() -> Option<pasar_oleh::settings::S3Settings> {
    let endpoint = std::env::var("TEST_S3_ENDPOINT")
        .ok()
        .filter(|u| !u.is_empty())?;
    let var = |name: &str, default: &str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| default.to_string())
    };
    Some(pasar_oleh::settings::S3Settings {
        bucket: var("TEST_S3_BUCKET", "pasar-test"),
        endpoint: Some(endpoint),
        region: var("TEST_S3_REGION", "us-east-1"),
        force_path_style: true,
        prefix: format!("test-{}/", Uuid::now_v7().simple()),
        access_key_id: var("TEST_S3_ACCESS_KEY_ID", ""),
        secret_access_key: var("TEST_S3_SECRET_ACCESS_KEY", ""),
        session_token: None,
    })
}

pub fn is_s3() -> bool {
    std::env::var("TEST_S3_ENDPOINT").is_ok_and(|u| !u.is_empty())
}

async fn test_state(seeded: bool) -> AppState {
    let dir = scratch_dir();
    let url = fresh_database_url(&dir).await;
    seams::build_state(url, dir, seeded).await
}

/// With TEST_REDIS_URL set (CI's PostgreSQL pass), every app uses that Redis under a key prefix
/// of its own, so parallel tests never see each other's counters, cache or events.
pub fn use_test_redis(settings: &mut pasar_oleh::settings::Settings) {
    if let Some(url) = test_redis_url() {
        settings.redis_url = Some(url);
        settings.cache.redis_prefix = format!("test:{}:", Uuid::now_v7().simple());
        // CI machines are busy: a deadline that a loaded test run does not trip by accident.
        settings.cache.redis_timeout = std::time::Duration::from_millis(500);
    }
}

/// The Redis the tests run against, when the environment names one.
pub fn test_redis_url() -> Option<String> {
    std::env::var("TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Domain events as a test sees them: their stable names, in publishing order.
pub struct Events(
    tokio::sync::broadcast::Receiver<std::sync::Arc<pasar_oleh::domain::events::DomainEvent>>,
);

impl Events {
    /// Everything published since the last call. Events go out when a unit of work commits,
    /// before the mutation answers, so nothing is still in flight once a call has returned.
    pub fn drain(&mut self) -> Vec<&'static str> {
        let mut names = Vec::new();
        loop {
            match self.0.try_recv() {
                Ok(event) => names.push(event.name()),
                Err(tokio::sync::broadcast::error::TryRecvError::Empty) => return names,
                Err(e) => panic!("event stream broken: {e}"),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// LIBRARY SEAMS: every call into library internals that arranges or inspects data. When a
// service signature changes, this module is the one place to adapt.
// ---------------------------------------------------------------------------------------------

mod seams {
    use chrono::{Days, Utc};
    use entity::seller;
    use pasar_oleh::{
        auth::caller::Caller, domain::events::DomainEvent, fixtures::demo as seed,
        services::accounts, settings::Settings, startup, state::AppState,
    };
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    use uuid::Uuid;

    /// A migrated state, with the demo catalogue when `seeded`.
    pub async fn build_state(url: String, dir: std::path::PathBuf, seeded: bool) -> AppState {
        build_state_with(url, dir, seeded, |_| {}).await
    }

    /// The same, with the test settings changed by `configure`.
    pub async fn build_state_with(
        url: String,
        dir: std::path::PathBuf,
        seeded: bool,
        configure: impl FnOnce(&mut Settings),
    ) -> AppState {
        let mut settings = Settings::for_tests(url, dir);
        settings.s3 = super::test_s3();
        super::use_test_redis(&mut settings);
        configure(&mut settings);
        let state = startup::prepare(settings).await.expect("a test state");
        if seeded {
            seed::seed(&state.db, &state.media)
                .await
                .expect("the demo catalogue loads");
        }
        state
    }

    /// `startup::prepare` on test settings changed by `configure`, for tests of a refused start.
    pub async fn try_build_state(
        configure: impl FnOnce(&mut Settings),
    ) -> anyhow::Result<AppState> {
        let dir = super::scratch_dir();
        let mut settings = Settings::for_tests(
            format!("sqlite://{}?mode=rwc", dir.join("test.db").display()),
            dir,
        );
        configure(&mut settings);
        startup::prepare(settings).await
    }

    /// There is no mutation that makes an administrator.
    pub async fn create_admin(state: &AppState, email: &str, password: &str) {
        accounts::create_admin(&state.db, &state.events, email, "Admin Dinas", password)
            .await
            .expect("an administrator");
    }

    /// The caller an `Authorization` header stands for, or the refusal's error code.
    pub async fn resolve_caller(
        state: &AppState,
        authorization: Option<&str>,
    ) -> Result<Caller, &'static str> {
        pasar_oleh::http::caller::resolve(state, authorization)
            .await
            .map_err(|e| e.code())
    }

    /// Moves the absolute end of every login of `user_id` into the past (no setting is shorter
    /// than a day).
    pub async fn end_sessions(state: &AppState, user_id: Uuid) {
        use sea_orm::{ColumnTrait, QueryFilter, sea_query::Expr};
        entity::refresh_family::Entity::update_many()
            .col_expr(
                entity::refresh_family::Column::ExpiresAt,
                Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
            )
            .filter(entity::refresh_family::Column::UserId.eq(user_id))
            .exec(&state.db)
            .await
            .expect("sessions ended");
    }

    pub async fn expire_halal_certificate(state: &AppState, seller_id: Uuid) {
        let found = seller::Entity::find_by_id(seller_id)
            .one(&state.db)
            .await
            .expect("read the seller")
            .expect("the seller exists");
        let yesterday = Utc::now().date_naive() - Days::new(1);
        let mut changed: seller::ActiveModel = found.into();
        changed.halal_expires_on = Set(Some(yesterday));
        changed.update(&state.db).await.expect("update the seller");
        // A write outside a unit of work says what changed, as a unit of work would.
        state
            .events
            .publish_committed(vec![DomainEvent::SellerChanged { seller_id }])
            .await;
    }

    /// Gives `seller` a halal certificate valid through `last_day` (no mutation sets one
    /// directly on a verified seller), announced as a unit of work would.
    pub async fn halal_certificate_until(
        state: &AppState,
        seller_id: Uuid,
        last_day: chrono::NaiveDate,
    ) {
        let found = seller::Entity::find_by_id(seller_id)
            .one(&state.db)
            .await
            .expect("read the seller")
            .expect("the seller exists");
        let mut changed: seller::ActiveModel = found.into();
        changed.halal_certificate_number = Set(Some("ID35110000123450124".into()));
        changed.halal_expires_on = Set(Some(last_day));
        changed.update(&state.db).await.expect("update the seller");
        state
            .events
            .publish_committed(vec![DomainEvent::SellerChanged { seller_id }])
            .await;
    }

    /// Runs the demo seed again (to prove it idempotent); returns the product count it reports.
    pub async fn reseed(state: &AppState) -> usize {
        let products = seed::seed(&state.db, &state.media)
            .await
            .expect("the demo catalogue loads")
            .products;
        state.responses.invalidate().await;
        products
    }

    /// (outlets, sellers, products) as the seed counts them.
    pub async fn seed_counts(db: &sea_orm::DatabaseConnection) -> (u64, u64, u64) {
        seed::counts(db).await.expect("counts")
    }
}

impl TestApp {
    /// Runs the demo seed again; returns the product count it reports.
    pub async fn reseed(&self) -> usize {
        seams::reseed(&self.state).await
    }

    /// (outlets, sellers, products) as the seed counts them.
    pub async fn seed_counts(&self) -> (u64, u64, u64) {
        seams::seed_counts(&self.state.db).await
    }
}
