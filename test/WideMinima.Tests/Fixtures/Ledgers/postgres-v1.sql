--
-- PostgreSQL database dump
--


-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: checkpoints; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.checkpoints (
    sweep_id bigint NOT NULL,
    run_id text NOT NULL,
    attempt integer NOT NULL,
    step bigint NOT NULL,
    epoch integer NOT NULL,
    path text NOT NULL,
    sha256 text NOT NULL,
    bytes bigint NOT NULL,
    created_at bigint NOT NULL
);


--
-- Name: runs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.runs (
    sweep_id bigint NOT NULL,
    run_id text NOT NULL,
    ordinal integer NOT NULL,
    setting text NOT NULL,
    schedule text NOT NULL,
    explore_fraction double precision,
    seed integer NOT NULL,
    schedule_options_json text NOT NULL,
    status text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    worker text,
    progress text,
    heartbeat_at bigint,
    started_at bigint,
    finished_at bigint,
    error text,
    test_accuracy double precision,
    test_loss double precision,
    train_loss double precision,
    sharpness double precision,
    width_max_loss double precision,
    width_steps integer,
    width_converged boolean,
    train_seconds double precision,
    width_seconds double precision,
    result_json text,
    lease_ms bigint,
    lease_expires_at bigint,
    CONSTRAINT runs_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'running'::text, 'done'::text, 'failed'::text, 'diverged'::text])))
);


--
-- Name: schema_version; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_version (
    version integer NOT NULL
);


--
-- Name: sweeps; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sweeps (
    sweep_id bigint NOT NULL,
    name text NOT NULL,
    definition_json text NOT NULL,
    config_json text NOT NULL,
    created_at bigint NOT NULL,
    tool_version text NOT NULL
);


--
-- Name: sweeps_sweep_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.sweeps_sweep_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: sweeps_sweep_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.sweeps_sweep_id_seq OWNED BY public.sweeps.sweep_id;


--
-- Name: sweeps sweep_id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sweeps ALTER COLUMN sweep_id SET DEFAULT nextval('public.sweeps_sweep_id_seq'::regclass);


--
-- Data for Name: checkpoints; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.checkpoints VALUES (1, 'knee-e0.5-s2', 1, 10, 1, '/tmp/fx/pg1-a/checkpoints/knee-e0.5-s2/attempt1-step0000000010.wmckpt', 'cd52e71971a3e503233a9fa3519f89a54a894eedbaf5b86be0632ca097512b36', 120491, 1796462151362);


--
-- Data for Name: runs; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.runs VALUES (1, 'cosine-s2', 6, 'cosine', 'cosine', NULL, 2, '{"kind":"cosine","floorLearningRate":0,"peakLearningRate":0.1,"warmupFraction":0}', 'pending', 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.runs VALUES (1, 'constant-s2', 7, 'constant', 'constant', NULL, 2, '{"kind":"constant","peakLearningRate":0.1,"warmupFraction":0}', 'pending', 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.runs VALUES (1, 'knee-e0-s1', 0, 'knee-e0', 'knee', 0, 1, '{"kind":"knee","exploreFraction":0,"floorLearningRate":0,"decayShape":"Linear","peakLearningRate":0.1,"warmupFraction":0}', 'done', 1, 'vm/15309/63932058932', NULL, 1796462142393, 1796462136916, 1796462142393, NULL, 0.66, 0.9043771362304688, 0.6804978311061859, 0.27098041846711807, 0.5331017971038818, 5, true, 1.1232605, 0.1613731, '{
  "run_id": "knee-e0-s1",
  "setting": "knee-e0",
  "schedule": "knee",
  "explore_fraction": 0,
  "seed": 1,
  "status": "done",
  "config_json": "{\n  \u0022name\u0022: \u0022pg-a\u0022,\n  \u0022dataset\u0022: {\n    \u0022kind\u0022: \u0022fashion-mnist-subset\u0022,\n    \u0022path\u0022: null,\n    \u0022train_images\u0022: null,\n    \u0022train_labels\u0022: null,\n    \u0022test_images\u0022: null,\n    \u0022test_labels\u0022: null,\n    \u0022train_file\u0022: null,\n    \u0022test_file\u0022: null,\n    \u0022label_column\u0022: \u0022label\u0022,\n    \u0022separator\u0022: \u0022,\u0022,\n    \u0022train_limit\u0022: 300,\n    \u0022test_limit\u0022: 100\n  },\n  \u0022model\u0022: {\n    \u0022kind\u0022: \u0022mlp\u0022,\n    \u0022hidden\u0022: [\n      16\n    ]\n  },\n  \u0022epochs\u0022: 2,\n  \u0022batch_size\u0022: 32,\n  \u0022peak_lr\u0022: 0.1,\n  \u0022optimizer\u0022: \u0022sgd\u0022,\n  \u0022momentum\u0022: 0.9,\n  \u0022weight_decay\u0022: 0.0005,\n  \u0022warmup_fraction\u0022: 0,\n  \u0022explore_fractions\u0022: [\n    0,\n    0.5\n  ],\n  \u0022baselines\u0022: [\n    \u0022cosine\u0022,\n    \u0022constant\u0022\n  ],\n  \u0022step_milestones\u0022: [\n    0.5,\n    0.75\n  ],\n  \u0022seeds\u0022: 2,\n  \u0022first_seed\u0022: 1,\n  \u0022width\u0022: {\n    \u0022method\u0022: \u0022sign\u0022,\n    \u0022epsilon\u0022: 0.0001,\n    \u0022max_steps\u0022: 5,\n    \u0022learning_rate\u0022: 0.001,\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256,\n    \u0022patience\u0022: 2\n  },\n  \u0022workers\u0022: 1,\n  \u0022threads_per_run\u0022: 1,\n  \u0022device\u0022: \u0022cpu\u0022,\n  \u0022augment\u0022: false,\n  \u0022tensorboard\u0022: true,\n  \u0022checkpoint_every_epochs\u0022: 1,\n  \u0022metrics\u0022: [\n    \u0022keskar\u0022,\n    \u0022hessian_top\u0022,\n    \u0022adaptive\u0022\n  ],\n  \u0022hessian\u0022: {\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256,\n    \u0022max_iterations\u0022: 5,\n    \u0022tolerance\u0022: 0.001,\n    \u0022probes\u0022: 10\n  },\n  \u0022adaptive\u0022: {\n    \u0022rho\u0022: 0.001,\n    \u0022norm\u0022: \u0022l_infinity\u0022,\n    \u0022max_steps\u0022: 5,\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256\n  }\n}",
  "schedule_json": "{\u0022kind\u0022:\u0022knee\u0022,\u0022exploreSteps\u0022:0,\u0022floorLearningRate\u0022:0,\u0022decayShape\u0022:\u0022Linear\u0022,\u0022peakLearningRate\u0022:0.1,\u0022totalSteps\u0022:20,\u0022warmupSteps\u0022:0}",
  "test_accuracy": 0.66,
  "test_loss": 0.9043771362304688,
  "train_loss": 0.6804978311061859,
  "width": {
    "sharpness": 0.27098041846711807,
    "initial_loss": 0.5289586186408997,
    "max_loss": 0.5331017971038818,
    "final_loss": 0.5331017971038818,
    "steps": 5,
    "converged": true,
    "seconds": 0.1613731
  },
  "train_seconds": 1.1232605,
  "width_seconds": 0.1613731,
  "hessian": {
    "top_eigenvalue": 7.040617822154337,
    "trace": null,
    "trace_standard_error": null,
    "iterations": 5,
    "converged": false,
    "seconds": 0.1962987
  },
  "adaptive": {
    "sharpness": 0.001653432846069336,
    "initial_loss": 0.5289586186408997,
    "max_loss": 0.530612051486969,
    "steps": 5,
    "seconds": 0.0487288
  },
  "learning_rate_curve": [
    [
      1,
      0.095
    ],
    [
      2,
      0.09000000000000001
    ],
    [
      3,
      0.085
    ],
    [
      4,
      0.08
    ],
    [
      5,
      0.07500000000000001
    ],
    [
      6,
      0.07
    ],
    [
      7,
      0.065
    ],
    [
      8,
      0.060000000000000005
    ],
    [
      9,
      0.05500000000000001
    ],
    [
      10,
      0.05
    ],
    [
      11,
      0.045000000000000005
    ],
    [
      12,
      0.04000000000000001
    ],
    [
      13,
      0.035
    ],
    [
      14,
      0.03
    ],
    [
      15,
      0.02500000000000001
    ],
    [
      16,
      0.020000000000000004
    ],
    [
      17,
      0.015
    ],
    [
      18,
      0.010000000000000009
    ],
    [
      19,
      0.0050000000000000044
    ],
    [
      20,
      0
    ]
  ],
  "epochs": [
    {
      "epoch": 1,
      "epochs": 2,
      "train_loss": 1.6069892144203186,
      "learning_rate": 0.05000000074505806,
      "validation_accuracy": 0.64,
      "validation_loss": 1.0378429412841796,
      "seconds": 0.169304
    },
    {
      "epoch": 2,
      "epochs": 2,
      "train_loss": 0.6804978311061859,
      "learning_rate": 0,
      "validation_accuracy": 0.66,
      "validation_loss": 0.9043771362304688,
      "seconds": 0.0290561
    }
  ],
  "threads": 1
}', 180000, NULL);
INSERT INTO public.runs VALUES (1, 'knee-e0.5-s2', 5, 'knee-e0.5', 'knee', 0.5, 2, '{"kind":"knee","exploreFraction":0.5,"floorLearningRate":0,"decayShape":"Linear","peakLearningRate":0.1,"warmupFraction":0}', 'running', 1, 'vm/15309/63932058932', 'epoch 2/2', 1796462151374, 1796462151299, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 180000, 1796462331374);
INSERT INTO public.runs VALUES (1, 'knee-e0.5-s1', 1, 'knee-e0.5', 'knee', 0.5, 1, '{"kind":"knee","exploreFraction":0.5,"floorLearningRate":0,"decayShape":"Linear","peakLearningRate":0.1,"warmupFraction":0}', 'done', 1, 'vm/15309/63932058932', NULL, 1796462146098, 1796462145445, 1796462146098, NULL, 0.68, 1.0451287841796875, 0.7781757938861847, 0.3987019735070185, 0.5413178205490112, 5, true, 0.3520801, 0.0511725, '{
  "run_id": "knee-e0.5-s1",
  "setting": "knee-e0.5",
  "schedule": "knee",
  "explore_fraction": 0.5,
  "seed": 1,
  "status": "done",
  "config_json": "{\n  \u0022name\u0022: \u0022pg-a\u0022,\n  \u0022dataset\u0022: {\n    \u0022kind\u0022: \u0022fashion-mnist-subset\u0022,\n    \u0022path\u0022: null,\n    \u0022train_images\u0022: null,\n    \u0022train_labels\u0022: null,\n    \u0022test_images\u0022: null,\n    \u0022test_labels\u0022: null,\n    \u0022train_file\u0022: null,\n    \u0022test_file\u0022: null,\n    \u0022label_column\u0022: \u0022label\u0022,\n    \u0022separator\u0022: \u0022,\u0022,\n    \u0022train_limit\u0022: 300,\n    \u0022test_limit\u0022: 100\n  },\n  \u0022model\u0022: {\n    \u0022kind\u0022: \u0022mlp\u0022,\n    \u0022hidden\u0022: [\n      16\n    ]\n  },\n  \u0022epochs\u0022: 2,\n  \u0022batch_size\u0022: 32,\n  \u0022peak_lr\u0022: 0.1,\n  \u0022optimizer\u0022: \u0022sgd\u0022,\n  \u0022momentum\u0022: 0.9,\n  \u0022weight_decay\u0022: 0.0005,\n  \u0022warmup_fraction\u0022: 0,\n  \u0022explore_fractions\u0022: [\n    0,\n    0.5\n  ],\n  \u0022baselines\u0022: [\n    \u0022cosine\u0022,\n    \u0022constant\u0022\n  ],\n  \u0022step_milestones\u0022: [\n    0.5,\n    0.75\n  ],\n  \u0022seeds\u0022: 2,\n  \u0022first_seed\u0022: 1,\n  \u0022width\u0022: {\n    \u0022method\u0022: \u0022sign\u0022,\n    \u0022epsilon\u0022: 0.0001,\n    \u0022max_steps\u0022: 5,\n    \u0022learning_rate\u0022: 0.001,\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256,\n    \u0022patience\u0022: 2\n  },\n  \u0022workers\u0022: 1,\n  \u0022threads_per_run\u0022: 1,\n  \u0022device\u0022: \u0022cpu\u0022,\n  \u0022augment\u0022: false,\n  \u0022tensorboard\u0022: true,\n  \u0022checkpoint_every_epochs\u0022: 1,\n  \u0022metrics\u0022: [\n    \u0022keskar\u0022,\n    \u0022hessian_top\u0022,\n    \u0022adaptive\u0022\n  ],\n  \u0022hessian\u0022: {\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256,\n    \u0022max_iterations\u0022: 5,\n    \u0022tolerance\u0022: 0.001,\n    \u0022probes\u0022: 10\n  },\n  \u0022adaptive\u0022: {\n    \u0022rho\u0022: 0.001,\n    \u0022norm\u0022: \u0022l_infinity\u0022,\n    \u0022max_steps\u0022: 5,\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256\n  }\n}",
  "schedule_json": "{\u0022kind\u0022:\u0022knee\u0022,\u0022exploreSteps\u0022:10,\u0022floorLearningRate\u0022:0,\u0022decayShape\u0022:\u0022Linear\u0022,\u0022peakLearningRate\u0022:0.1,\u0022totalSteps\u0022:20,\u0022warmupSteps\u0022:0}",
  "test_accuracy": 0.68,
  "test_loss": 1.0451287841796875,
  "train_loss": 0.7781757938861847,
  "width": {
    "sharpness": 0.3987019735070185,
    "initial_loss": 0.5351969599723816,
    "max_loss": 0.5413178205490112,
    "final_loss": 0.5413178205490112,
    "steps": 5,
    "converged": true,
    "seconds": 0.0511725
  },
  "train_seconds": 0.3520801,
  "width_seconds": 0.0511725,
  "hessian": {
    "top_eigenvalue": 9.809506242750508,
    "trace": null,
    "trace_standard_error": null,
    "iterations": 5,
    "converged": false,
    "seconds": 0.0728981
  },
  "adaptive": {
    "sharpness": 0.0032666921615600586,
    "initial_loss": 0.5351969599723816,
    "max_loss": 0.5384636521339417,
    "steps": 5,
    "seconds": 0.0519122
  },
  "learning_rate_curve": [
    [
      1,
      0.1
    ],
    [
      2,
      0.1
    ],
    [
      3,
      0.1
    ],
    [
      4,
      0.1
    ],
    [
      5,
      0.1
    ],
    [
      6,
      0.1
    ],
    [
      7,
      0.1
    ],
    [
      8,
      0.1
    ],
    [
      9,
      0.1
    ],
    [
      10,
      0.1
    ],
    [
      11,
      0.09000000000000001
    ],
    [
      12,
      0.08
    ],
    [
      13,
      0.07
    ],
    [
      14,
      0.060000000000000005
    ],
    [
      15,
      0.05
    ],
    [
      16,
      0.04000000000000001
    ],
    [
      17,
      0.03
    ],
    [
      18,
      0.020000000000000004
    ],
    [
      19,
      0.010000000000000009
    ],
    [
      20,
      0
    ]
  ],
  "epochs": [
    {
      "epoch": 1,
      "epochs": 2,
      "train_loss": 1.616617619196574,
      "learning_rate": 0.10000000149011612,
      "validation_accuracy": 0.67,
      "validation_loss": 1.2992558288574219,
      "seconds": 0.0287768
    },
    {
      "epoch": 2,
      "epochs": 2,
      "train_loss": 0.7781757938861847,
      "learning_rate": 0,
      "validation_accuracy": 0.68,
      "validation_loss": 1.0451287841796875,
      "seconds": 0.0705055
    }
  ],
  "threads": 1
}', 180000, NULL);
INSERT INTO public.runs VALUES (1, 'cosine-s1', 2, 'cosine', 'cosine', NULL, 1, '{"kind":"cosine","floorLearningRate":0,"peakLearningRate":0.1,"warmupFraction":0}', 'done', 1, 'vm/15309/63932058932', NULL, 1796462147461, 1796462147373, 1796462147461, NULL, 0.64, 0.9026412200927735, 0.6534411835670472, 0.29760967281262884, 0.5657522678375244, 5, true, 0.0335106, 0.0037605, '{
  "run_id": "cosine-s1",
  "setting": "cosine",
  "schedule": "cosine",
  "explore_fraction": null,
  "seed": 1,
  "status": "done",
  "config_json": "{\n  \u0022name\u0022: \u0022pg-a\u0022,\n  \u0022dataset\u0022: {\n    \u0022kind\u0022: \u0022fashion-mnist-subset\u0022,\n    \u0022path\u0022: null,\n    \u0022train_images\u0022: null,\n    \u0022train_labels\u0022: null,\n    \u0022test_images\u0022: null,\n    \u0022test_labels\u0022: null,\n    \u0022train_file\u0022: null,\n    \u0022test_file\u0022: null,\n    \u0022label_column\u0022: \u0022label\u0022,\n    \u0022separator\u0022: \u0022,\u0022,\n    \u0022train_limit\u0022: 300,\n    \u0022test_limit\u0022: 100\n  },\n  \u0022model\u0022: {\n    \u0022kind\u0022: \u0022mlp\u0022,\n    \u0022hidden\u0022: [\n      16\n    ]\n  },\n  \u0022epochs\u0022: 2,\n  \u0022batch_size\u0022: 32,\n  \u0022peak_lr\u0022: 0.1,\n  \u0022optimizer\u0022: \u0022sgd\u0022,\n  \u0022momentum\u0022: 0.9,\n  \u0022weight_decay\u0022: 0.0005,\n  \u0022warmup_fraction\u0022: 0,\n  \u0022explore_fractions\u0022: [\n    0,\n    0.5\n  ],\n  \u0022baselines\u0022: [\n    \u0022cosine\u0022,\n    \u0022constant\u0022\n  ],\n  \u0022step_milestones\u0022: [\n    0.5,\n    0.75\n  ],\n  \u0022seeds\u0022: 2,\n  \u0022first_seed\u0022: 1,\n  \u0022width\u0022: {\n    \u0022method\u0022: \u0022sign\u0022,\n    \u0022epsilon\u0022: 0.0001,\n    \u0022max_steps\u0022: 5,\n    \u0022learning_rate\u0022: 0.001,\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256,\n    \u0022patience\u0022: 2\n  },\n  \u0022workers\u0022: 1,\n  \u0022threads_per_run\u0022: 1,\n  \u0022device\u0022: \u0022cpu\u0022,\n  \u0022augment\u0022: false,\n  \u0022tensorboard\u0022: true,\n  \u0022checkpoint_every_epochs\u0022: 1,\n  \u0022metrics\u0022: [\n    \u0022keskar\u0022,\n    \u0022hessian_top\u0022,\n    \u0022adaptive\u0022\n  ],\n  \u0022hessian\u0022: {\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256,\n    \u0022max_iterations\u0022: 5,\n    \u0022tolerance\u0022: 0.001,\n    \u0022probes\u0022: 10\n  },\n  \u0022adaptive\u0022: {\n    \u0022rho\u0022: 0.001,\n    \u0022norm\u0022: \u0022l_infinity\u0022,\n    \u0022max_steps\u0022: 5,\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256\n  }\n}",
  "schedule_json": "{\u0022kind\u0022:\u0022cosine\u0022,\u0022floorLearningRate\u0022:0,\u0022peakLearningRate\u0022:0.1,\u0022totalSteps\u0022:20,\u0022warmupSteps\u0022:0}",
  "test_accuracy": 0.64,
  "test_loss": 0.9026412200927735,
  "train_loss": 0.6534411835670472,
  "width": {
    "sharpness": 0.29760967281262884,
    "initial_loss": 0.561106264591217,
    "max_loss": 0.5657522678375244,
    "final_loss": 0.5657522678375244,
    "steps": 5,
    "converged": true,
    "seconds": 0.0037605
  },
  "train_seconds": 0.0335106,
  "width_seconds": 0.0037605,
  "hessian": {
    "top_eigenvalue": 9.585249667142627,
    "trace": null,
    "trace_standard_error": null,
    "iterations": 5,
    "converged": false,
    "seconds": 0.011215
  },
  "adaptive": {
    "sharpness": 0.0019688010215759277,
    "initial_loss": 0.561106264591217,
    "max_loss": 0.563075065612793,
    "steps": 5,
    "seconds": 0.0057588
  },
  "learning_rate_curve": [
    [
      1,
      0.0993844170297569
    ],
    [
      2,
      0.09755282581475769
    ],
    [
      3,
      0.09455032620941839
    ],
    [
      4,
      0.09045084971874738
    ],
    [
      5,
      0.08535533905932738
    ],
    [
      6,
      0.07938926261462366
    ],
    [
      7,
      0.07269952498697733
    ],
    [
      8,
      0.06545084971874737
    ],
    [
      9,
      0.05782172325201155
    ],
    [
      10,
      0.05
    ],
    [
      11,
      0.04217827674798845
    ],
    [
      12,
      0.03454915028125263
    ],
    [
      13,
      0.027300475013022664
    ],
    [
      14,
      0.02061073738537635
    ],
    [
      15,
      0.014644660940672627
    ],
    [
      16,
      0.009549150281252633
    ],
    [
      17,
      0.005449673790581611
    ],
    [
      18,
      0.0024471741852423235
    ],
    [
      19,
      0.0006155829702431171
    ],
    [
      20,
      0
    ]
  ],
  "epochs": [
    {
      "epoch": 1,
      "epochs": 2,
      "train_loss": 1.6009794616699218,
      "learning_rate": 0.05000000074505806,
      "validation_accuracy": 0.66,
      "validation_loss": 1.019138641357422,
      "seconds": 0.0035371
    },
    {
      "epoch": 2,
      "epochs": 2,
      "train_loss": 0.6534411835670472,
      "learning_rate": 0,
      "validation_accuracy": 0.64,
      "validation_loss": 0.9026412200927735,
      "seconds": 0.0036012
    }
  ],
  "threads": 1
}', 180000, NULL);
INSERT INTO public.runs VALUES (1, 'constant-s1', 3, 'constant', 'constant', NULL, 1, '{"kind":"constant","peakLearningRate":0.1,"warmupFraction":0}', 'failed', 1, 'vm/15309/63932058932', NULL, 1796462148233, 1796462148228, 1796462148233, 'IOException: The file ''/tmp/fx/pg1-a/tensorboard/constant-s1'' already exists.', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 180000, NULL);
INSERT INTO public.runs VALUES (2, 'constant-s1', 3, 'constant', 'constant', NULL, 1, '{"kind":"constant","peakLearningRate":2,"warmupFraction":0}', 'diverged', 1, 'vm/15612/63932058954', NULL, 1796462162387, 1796462162270, 1796462162387, 'the training loss became NaN or infinite', NULL, NULL, 'NaN', NULL, NULL, NULL, NULL, 0.0399118, 0, '{
  "run_id": "constant-s1",
  "setting": "constant",
  "schedule": "constant",
  "explore_fraction": null,
  "seed": 1,
  "status": "diverged",
  "config_json": "{\n  \u0022name\u0022: \u0022pg-b\u0022,\n  \u0022dataset\u0022: {\n    \u0022kind\u0022: \u0022fashion-mnist-subset\u0022,\n    \u0022path\u0022: null,\n    \u0022train_images\u0022: null,\n    \u0022train_labels\u0022: null,\n    \u0022test_images\u0022: null,\n    \u0022test_labels\u0022: null,\n    \u0022train_file\u0022: null,\n    \u0022test_file\u0022: null,\n    \u0022label_column\u0022: \u0022label\u0022,\n    \u0022separator\u0022: \u0022,\u0022,\n    \u0022train_limit\u0022: 300,\n    \u0022test_limit\u0022: 100\n  },\n  \u0022model\u0022: {\n    \u0022kind\u0022: \u0022mlp\u0022,\n    \u0022hidden\u0022: [\n      16\n    ]\n  },\n  \u0022epochs\u0022: 2,\n  \u0022batch_size\u0022: 32,\n  \u0022peak_lr\u0022: 2,\n  \u0022optimizer\u0022: \u0022sgd\u0022,\n  \u0022momentum\u0022: 0.9,\n  \u0022weight_decay\u0022: 0.0005,\n  \u0022warmup_fraction\u0022: 0,\n  \u0022explore_fractions\u0022: [\n    0,\n    0.5\n  ],\n  \u0022baselines\u0022: [\n    \u0022cosine\u0022,\n    \u0022constant\u0022\n  ],\n  \u0022step_milestones\u0022: [\n    0.5,\n    0.75\n  ],\n  \u0022seeds\u0022: 2,\n  \u0022first_seed\u0022: 1,\n  \u0022width\u0022: {\n    \u0022method\u0022: \u0022sign\u0022,\n    \u0022epsilon\u0022: 0.0001,\n    \u0022max_steps\u0022: 5,\n    \u0022learning_rate\u0022: 0.001,\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256,\n    \u0022patience\u0022: 2\n  },\n  \u0022workers\u0022: 1,\n  \u0022threads_per_run\u0022: 1,\n  \u0022device\u0022: \u0022cpu\u0022,\n  \u0022augment\u0022: false,\n  \u0022tensorboard\u0022: false,\n  \u0022metrics\u0022: [\n    \u0022keskar\u0022,\n    \u0022hessian_top\u0022,\n    \u0022adaptive\u0022\n  ],\n  \u0022hessian\u0022: {\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256,\n    \u0022max_iterations\u0022: 5,\n    \u0022tolerance\u0022: 0.001,\n    \u0022probes\u0022: 10\n  },\n  \u0022adaptive\u0022: {\n    \u0022rho\u0022: 0.001,\n    \u0022norm\u0022: \u0022l_infinity\u0022,\n    \u0022max_steps\u0022: 5,\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256\n  }\n}",
  "schedule_json": "{\u0022kind\u0022:\u0022constant\u0022,\u0022peakLearningRate\u0022:2,\u0022totalSteps\u0022:20,\u0022warmupSteps\u0022:0}",
  "test_accuracy": null,
  "test_loss": null,
  "train_loss": "NaN",
  "width": null,
  "train_seconds": 0.0399118,
  "width_seconds": 0,
  "hessian": null,
  "adaptive": null,
  "learning_rate_curve": [
    [
      1,
      2
    ],
    [
      2,
      2
    ],
    [
      3,
      2
    ],
    [
      4,
      2
    ],
    [
      5,
      2
    ],
    [
      6,
      2
    ],
    [
      7,
      2
    ],
    [
      8,
      2
    ],
    [
      9,
      2
    ],
    [
      10,
      2
    ],
    [
      11,
      2
    ],
    [
      12,
      2
    ],
    [
      13,
      2
    ],
    [
      14,
      2
    ],
    [
      15,
      2
    ],
    [
      16,
      2
    ],
    [
      17,
      2
    ],
    [
      18,
      2
    ],
    [
      19,
      2
    ],
    [
      20,
      2
    ]
  ],
  "epochs": [
    {
      "epoch": 1,
      "epochs": 2,
      "train_loss": 1.1907369710671902E+17,
      "learning_rate": 2,
      "validation_accuracy": 0.07,
      "validation_loss": 4.14272483814941E+20,
      "seconds": 0.0125027
    },
    {
      "epoch": 2,
      "epochs": 2,
      "train_loss": "NaN",
      "learning_rate": 2,
      "validation_accuracy": null,
      "validation_loss": null,
      "seconds": 0.0121302
    }
  ],
  "threads": 1
}', 180000, NULL);
INSERT INTO public.runs VALUES (1, 'knee-e0-s2', 4, 'knee-e0', 'knee', 0, 2, '{"kind":"knee","exploreFraction":0,"floorLearningRate":0,"decayShape":"Linear","peakLearningRate":0.1,"warmupFraction":0}', 'done', 1, 'vm/15309/63932058932', NULL, 1796462150041, 1796462149523, 1796462150041, NULL, 0.75, 0.8015122985839844, 0.7123224719365437, 0.2219694801108894, 0.49439606070518494, 5, true, 0.1274439, 0.103588, '{
  "run_id": "knee-e0-s2",
  "setting": "knee-e0",
  "schedule": "knee",
  "explore_fraction": 0,
  "seed": 2,
  "status": "done",
  "config_json": "{\n  \u0022name\u0022: \u0022pg-a\u0022,\n  \u0022dataset\u0022: {\n    \u0022kind\u0022: \u0022fashion-mnist-subset\u0022,\n    \u0022path\u0022: null,\n    \u0022train_images\u0022: null,\n    \u0022train_labels\u0022: null,\n    \u0022test_images\u0022: null,\n    \u0022test_labels\u0022: null,\n    \u0022train_file\u0022: null,\n    \u0022test_file\u0022: null,\n    \u0022label_column\u0022: \u0022label\u0022,\n    \u0022separator\u0022: \u0022,\u0022,\n    \u0022train_limit\u0022: 300,\n    \u0022test_limit\u0022: 100\n  },\n  \u0022model\u0022: {\n    \u0022kind\u0022: \u0022mlp\u0022,\n    \u0022hidden\u0022: [\n      16\n    ]\n  },\n  \u0022epochs\u0022: 2,\n  \u0022batch_size\u0022: 32,\n  \u0022peak_lr\u0022: 0.1,\n  \u0022optimizer\u0022: \u0022sgd\u0022,\n  \u0022momentum\u0022: 0.9,\n  \u0022weight_decay\u0022: 0.0005,\n  \u0022warmup_fraction\u0022: 0,\n  \u0022explore_fractions\u0022: [\n    0,\n    0.5\n  ],\n  \u0022baselines\u0022: [\n    \u0022cosine\u0022,\n    \u0022constant\u0022\n  ],\n  \u0022step_milestones\u0022: [\n    0.5,\n    0.75\n  ],\n  \u0022seeds\u0022: 2,\n  \u0022first_seed\u0022: 1,\n  \u0022width\u0022: {\n    \u0022method\u0022: \u0022sign\u0022,\n    \u0022epsilon\u0022: 0.0001,\n    \u0022max_steps\u0022: 5,\n    \u0022learning_rate\u0022: 0.001,\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256,\n    \u0022patience\u0022: 2\n  },\n  \u0022workers\u0022: 1,\n  \u0022threads_per_run\u0022: 1,\n  \u0022device\u0022: \u0022cpu\u0022,\n  \u0022augment\u0022: false,\n  \u0022tensorboard\u0022: true,\n  \u0022checkpoint_every_epochs\u0022: 1,\n  \u0022metrics\u0022: [\n    \u0022keskar\u0022,\n    \u0022hessian_top\u0022,\n    \u0022adaptive\u0022\n  ],\n  \u0022hessian\u0022: {\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256,\n    \u0022max_iterations\u0022: 5,\n    \u0022tolerance\u0022: 0.001,\n    \u0022probes\u0022: 10\n  },\n  \u0022adaptive\u0022: {\n    \u0022rho\u0022: 0.001,\n    \u0022norm\u0022: \u0022l_infinity\u0022,\n    \u0022max_steps\u0022: 5,\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256\n  }\n}",
  "schedule_json": "{\u0022kind\u0022:\u0022knee\u0022,\u0022exploreSteps\u0022:0,\u0022floorLearningRate\u0022:0,\u0022decayShape\u0022:\u0022Linear\u0022,\u0022peakLearningRate\u0022:0.1,\u0022totalSteps\u0022:20,\u0022warmupSteps\u0022:0}",
  "test_accuracy": 0.75,
  "test_loss": 0.8015122985839844,
  "train_loss": 0.7123224719365437,
  "width": {
    "sharpness": 0.2219694801108894,
    "initial_loss": 0.49108630418777466,
    "max_loss": 0.49439606070518494,
    "final_loss": 0.49439606070518494,
    "steps": 5,
    "converged": true,
    "seconds": 0.103588
  },
  "train_seconds": 0.1274439,
  "width_seconds": 0.103588,
  "hessian": {
    "top_eigenvalue": 7.146088272945793,
    "trace": null,
    "trace_standard_error": null,
    "iterations": 5,
    "converged": false,
    "seconds": 0.0955235
  },
  "adaptive": {
    "sharpness": 0.0012607872486114502,
    "initial_loss": 0.49108630418777466,
    "max_loss": 0.4923470914363861,
    "steps": 5,
    "seconds": 0.0596988
  },
  "learning_rate_curve": [
    [
      1,
      0.095
    ],
    [
      2,
      0.09000000000000001
    ],
    [
      3,
      0.085
    ],
    [
      4,
      0.08
    ],
    [
      5,
      0.07500000000000001
    ],
    [
      6,
      0.07
    ],
    [
      7,
      0.065
    ],
    [
      8,
      0.060000000000000005
    ],
    [
      9,
      0.05500000000000001
    ],
    [
      10,
      0.05
    ],
    [
      11,
      0.045000000000000005
    ],
    [
      12,
      0.04000000000000001
    ],
    [
      13,
      0.035
    ],
    [
      14,
      0.03
    ],
    [
      15,
      0.02500000000000001
    ],
    [
      16,
      0.020000000000000004
    ],
    [
      17,
      0.015
    ],
    [
      18,
      0.010000000000000009
    ],
    [
      19,
      0.0050000000000000044
    ],
    [
      20,
      0
    ]
  ],
  "epochs": [
    {
      "epoch": 1,
      "epochs": 2,
      "train_loss": 1.5447142712275188,
      "learning_rate": 0.05000000074505806,
      "validation_accuracy": 0.63,
      "validation_loss": 1.0114440155029296,
      "seconds": 0.0204237
    },
    {
      "epoch": 2,
      "epochs": 2,
      "train_loss": 0.7123224719365437,
      "learning_rate": 0,
      "validation_accuracy": 0.75,
      "validation_loss": 0.8015122985839844,
      "seconds": 0.0073069
    }
  ],
  "threads": 1
}', 180000, NULL);
INSERT INTO public.runs VALUES (2, 'knee-e0.5-s1', 1, 'knee-e0.5', 'knee', 0.5, 1, '{"kind":"knee","exploreFraction":0.5,"floorLearningRate":0,"decayShape":"Linear","peakLearningRate":2,"warmupFraction":0}', 'done', 1, 'vm/15612/63932058954', NULL, 1796462161085, 1796462160969, 1796462161085, NULL, 0.22, 2.467373449796807e+32, 1.8542326063487633e+31, 0.028995162589266883, 3.4072249243140026e+32, 5, true, 0.0255551, 0.0357874, '{
  "run_id": "knee-e0.5-s1",
  "setting": "knee-e0.5",
  "schedule": "knee",
  "explore_fraction": 0.5,
  "seed": 1,
  "status": "done",
  "config_json": "{\n  \u0022name\u0022: \u0022pg-b\u0022,\n  \u0022dataset\u0022: {\n    \u0022kind\u0022: \u0022fashion-mnist-subset\u0022,\n    \u0022path\u0022: null,\n    \u0022train_images\u0022: null,\n    \u0022train_labels\u0022: null,\n    \u0022test_images\u0022: null,\n    \u0022test_labels\u0022: null,\n    \u0022train_file\u0022: null,\n    \u0022test_file\u0022: null,\n    \u0022label_column\u0022: \u0022label\u0022,\n    \u0022separator\u0022: \u0022,\u0022,\n    \u0022train_limit\u0022: 300,\n    \u0022test_limit\u0022: 100\n  },\n  \u0022model\u0022: {\n    \u0022kind\u0022: \u0022mlp\u0022,\n    \u0022hidden\u0022: [\n      16\n    ]\n  },\n  \u0022epochs\u0022: 2,\n  \u0022batch_size\u0022: 32,\n  \u0022peak_lr\u0022: 2,\n  \u0022optimizer\u0022: \u0022sgd\u0022,\n  \u0022momentum\u0022: 0.9,\n  \u0022weight_decay\u0022: 0.0005,\n  \u0022warmup_fraction\u0022: 0,\n  \u0022explore_fractions\u0022: [\n    0,\n    0.5\n  ],\n  \u0022baselines\u0022: [\n    \u0022cosine\u0022,\n    \u0022constant\u0022\n  ],\n  \u0022step_milestones\u0022: [\n    0.5,\n    0.75\n  ],\n  \u0022seeds\u0022: 2,\n  \u0022first_seed\u0022: 1,\n  \u0022width\u0022: {\n    \u0022method\u0022: \u0022sign\u0022,\n    \u0022epsilon\u0022: 0.0001,\n    \u0022max_steps\u0022: 5,\n    \u0022learning_rate\u0022: 0.001,\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256,\n    \u0022patience\u0022: 2\n  },\n  \u0022workers\u0022: 1,\n  \u0022threads_per_run\u0022: 1,\n  \u0022device\u0022: \u0022cpu\u0022,\n  \u0022augment\u0022: false,\n  \u0022tensorboard\u0022: false,\n  \u0022metrics\u0022: [\n    \u0022keskar\u0022,\n    \u0022hessian_top\u0022,\n    \u0022adaptive\u0022\n  ],\n  \u0022hessian\u0022: {\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256,\n    \u0022max_iterations\u0022: 5,\n    \u0022tolerance\u0022: 0.001,\n    \u0022probes\u0022: 10\n  },\n  \u0022adaptive\u0022: {\n    \u0022rho\u0022: 0.001,\n    \u0022norm\u0022: \u0022l_infinity\u0022,\n    \u0022max_steps\u0022: 5,\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256\n  }\n}",
  "schedule_json": "{\u0022kind\u0022:\u0022knee\u0022,\u0022exploreSteps\u0022:10,\u0022floorLearningRate\u0022:0,\u0022decayShape\u0022:\u0022Linear\u0022,\u0022peakLearningRate\u0022:2,\u0022totalSteps\u0022:20,\u0022warmupSteps\u0022:0}",
  "test_accuracy": 0.22,
  "test_loss": 2.467373449796807E+32,
  "train_loss": 1.8542326063487633E+31,
  "width": {
    "sharpness": 0.028995162589266883,
    "initial_loss": 3.40623728027641E+32,
    "max_loss": 3.4072249243140026E+32,
    "final_loss": 3.4072249243140026E+32,
    "steps": 5,
    "converged": true,
    "seconds": 0.0357874
  },
  "train_seconds": 0.0255551,
  "width_seconds": 0.0357874,
  "hessian": {
    "top_eigenvalue": -0.1663058674485982,
    "trace": null,
    "trace_standard_error": null,
    "iterations": 5,
    "converged": false,
    "seconds": 0.0120038
  },
  "adaptive": {
    "sharpness": 9.887272351267422E+29,
    "initial_loss": 3.40623728027641E+32,
    "max_loss": 3.4161245526276776E+32,
    "steps": 5,
    "seconds": 0.0085948
  },
  "learning_rate_curve": [
    [
      1,
      2
    ],
    [
      2,
      2
    ],
    [
      3,
      2
    ],
    [
      4,
      2
    ],
    [
      5,
      2
    ],
    [
      6,
      2
    ],
    [
      7,
      2
    ],
    [
      8,
      2
    ],
    [
      9,
      2
    ],
    [
      10,
      2
    ],
    [
      11,
      1.8
    ],
    [
      12,
      1.6
    ],
    [
      13,
      1.4
    ],
    [
      14,
      1.2
    ],
    [
      15,
      1
    ],
    [
      16,
      0.7999999999999998
    ],
    [
      17,
      0.5999999999999999
    ],
    [
      18,
      0.3999999999999999
    ],
    [
      19,
      0.19999999999999996
    ],
    [
      20,
      0
    ]
  ],
  "epochs": [
    {
      "epoch": 1,
      "epochs": 2,
      "train_loss": 1.1907369710671902E+17,
      "learning_rate": 2,
      "validation_accuracy": 0.07,
      "validation_loss": 4.14272483814941E+20,
      "seconds": 0.0120935
    },
    {
      "epoch": 2,
      "epochs": 2,
      "train_loss": 1.8542326063487633E+31,
      "learning_rate": 0,
      "validation_accuracy": 0.22,
      "validation_loss": 2.467373449796807E+32,
      "seconds": 0.002407
    }
  ],
  "threads": 1
}', 180000, NULL);
INSERT INTO public.runs VALUES (2, 'knee-e0-s1', 0, 'knee-e0', 'knee', 0, 1, '{"kind":"knee","exploreFraction":0,"floorLearningRate":0,"decayShape":"Linear","peakLearningRate":2,"warmupFraction":0}', 'done', 1, 'vm/15612/63932058954', NULL, 1796462159892, 1796462156428, 1796462159892, NULL, 0.2, 1.644119930062059e+24, 5.21393641440551e+23, 0.04845945136160863, 1.385929534761276e+24, 5, true, 0.2590292, 0.0859043, '{
  "run_id": "knee-e0-s1",
  "setting": "knee-e0",
  "schedule": "knee",
  "explore_fraction": 0,
  "seed": 1,
  "status": "done",
  "config_json": "{\n  \u0022name\u0022: \u0022pg-b\u0022,\n  \u0022dataset\u0022: {\n    \u0022kind\u0022: \u0022fashion-mnist-subset\u0022,\n    \u0022path\u0022: null,\n    \u0022train_images\u0022: null,\n    \u0022train_labels\u0022: null,\n    \u0022test_images\u0022: null,\n    \u0022test_labels\u0022: null,\n    \u0022train_file\u0022: null,\n    \u0022test_file\u0022: null,\n    \u0022label_column\u0022: \u0022label\u0022,\n    \u0022separator\u0022: \u0022,\u0022,\n    \u0022train_limit\u0022: 300,\n    \u0022test_limit\u0022: 100\n  },\n  \u0022model\u0022: {\n    \u0022kind\u0022: \u0022mlp\u0022,\n    \u0022hidden\u0022: [\n      16\n    ]\n  },\n  \u0022epochs\u0022: 2,\n  \u0022batch_size\u0022: 32,\n  \u0022peak_lr\u0022: 2,\n  \u0022optimizer\u0022: \u0022sgd\u0022,\n  \u0022momentum\u0022: 0.9,\n  \u0022weight_decay\u0022: 0.0005,\n  \u0022warmup_fraction\u0022: 0,\n  \u0022explore_fractions\u0022: [\n    0,\n    0.5\n  ],\n  \u0022baselines\u0022: [\n    \u0022cosine\u0022,\n    \u0022constant\u0022\n  ],\n  \u0022step_milestones\u0022: [\n    0.5,\n    0.75\n  ],\n  \u0022seeds\u0022: 2,\n  \u0022first_seed\u0022: 1,\n  \u0022width\u0022: {\n    \u0022method\u0022: \u0022sign\u0022,\n    \u0022epsilon\u0022: 0.0001,\n    \u0022max_steps\u0022: 5,\n    \u0022learning_rate\u0022: 0.001,\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256,\n    \u0022patience\u0022: 2\n  },\n  \u0022workers\u0022: 1,\n  \u0022threads_per_run\u0022: 1,\n  \u0022device\u0022: \u0022cpu\u0022,\n  \u0022augment\u0022: false,\n  \u0022tensorboard\u0022: false,\n  \u0022metrics\u0022: [\n    \u0022keskar\u0022,\n    \u0022hessian_top\u0022,\n    \u0022adaptive\u0022\n  ],\n  \u0022hessian\u0022: {\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256,\n    \u0022max_iterations\u0022: 5,\n    \u0022tolerance\u0022: 0.001,\n    \u0022probes\u0022: 10\n  },\n  \u0022adaptive\u0022: {\n    \u0022rho\u0022: 0.001,\n    \u0022norm\u0022: \u0022l_infinity\u0022,\n    \u0022max_steps\u0022: 5,\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256\n  }\n}",
  "schedule_json": "{\u0022kind\u0022:\u0022knee\u0022,\u0022exploreSteps\u0022:0,\u0022floorLearningRate\u0022:0,\u0022decayShape\u0022:\u0022Linear\u0022,\u0022peakLearningRate\u0022:2,\u0022totalSteps\u0022:20,\u0022warmupSteps\u0022:0}",
  "test_accuracy": 0.2,
  "test_loss": 1.644119930062059E+24,
  "train_loss": 5.21393641440551E+23,
  "width": {
    "sharpness": 0.04845945136160863,
    "initial_loss": 1.3852582462152188E+24,
    "max_loss": 1.385929534761276E+24,
    "final_loss": 1.385929534761276E+24,
    "steps": 5,
    "converged": true,
    "seconds": 0.0859043
  },
  "train_seconds": 0.2590292,
  "width_seconds": 0.0859043,
  "hessian": {
    "top_eigenvalue": 1.5053897051716143,
    "trace": null,
    "trace_standard_error": null,
    "iterations": 5,
    "converged": false,
    "seconds": 0.0916429
  },
  "adaptive": {
    "sharpness": 6.714758958018353E+21,
    "initial_loss": 1.3852582462152188E+24,
    "max_loss": 1.391973005173237E+24,
    "steps": 5,
    "seconds": 0.0246289
  },
  "learning_rate_curve": [
    [
      1,
      1.9
    ],
    [
      2,
      1.8
    ],
    [
      3,
      1.7
    ],
    [
      4,
      1.6
    ],
    [
      5,
      1.5
    ],
    [
      6,
      1.4
    ],
    [
      7,
      1.2999999999999998
    ],
    [
      8,
      1.2
    ],
    [
      9,
      1.1
    ],
    [
      10,
      1
    ],
    [
      11,
      0.8999999999999999
    ],
    [
      12,
      0.7999999999999998
    ],
    [
      13,
      0.7
    ],
    [
      14,
      0.5999999999999999
    ],
    [
      15,
      0.5
    ],
    [
      16,
      0.3999999999999999
    ],
    [
      17,
      0.2999999999999998
    ],
    [
      18,
      0.19999999999999996
    ],
    [
      19,
      0.09999999999999987
    ],
    [
      20,
      0
    ]
  ],
  "epochs": [
    {
      "epoch": 1,
      "epochs": 2,
      "train_loss": 105834906209196.98,
      "learning_rate": 1,
      "validation_accuracy": 0.11,
      "validation_loss": 1.7991037185926627E+17,
      "seconds": 0.0887166
    },
    {
      "epoch": 2,
      "epochs": 2,
      "train_loss": 5.21393641440551E+23,
      "learning_rate": 0,
      "validation_accuracy": 0.2,
      "validation_loss": 1.644119930062059E+24,
      "seconds": 0.0065847
    }
  ],
  "threads": 1
}', 180000, NULL);
INSERT INTO public.runs VALUES (2, 'cosine-s1', 2, 'cosine', 'cosine', NULL, 1, '{"kind":"cosine","floorLearningRate":0,"peakLearningRate":2,"warmupFraction":0}', 'done', 1, 'vm/15612/63932058954', NULL, 1796462161712, 1796462161632, 1796462161712, NULL, 0.25, 5.86928876042727e+22, 9.05863807192538e+22, 0.04548778025044199, 6.3274313756659805e+22, 5, true, 0.0168898, 0.0137678, '{
  "run_id": "cosine-s1",
  "setting": "cosine",
  "schedule": "cosine",
  "explore_fraction": null,
  "seed": 1,
  "status": "done",
  "config_json": "{\n  \u0022name\u0022: \u0022pg-b\u0022,\n  \u0022dataset\u0022: {\n    \u0022kind\u0022: \u0022fashion-mnist-subset\u0022,\n    \u0022path\u0022: null,\n    \u0022train_images\u0022: null,\n    \u0022train_labels\u0022: null,\n    \u0022test_images\u0022: null,\n    \u0022test_labels\u0022: null,\n    \u0022train_file\u0022: null,\n    \u0022test_file\u0022: null,\n    \u0022label_column\u0022: \u0022label\u0022,\n    \u0022separator\u0022: \u0022,\u0022,\n    \u0022train_limit\u0022: 300,\n    \u0022test_limit\u0022: 100\n  },\n  \u0022model\u0022: {\n    \u0022kind\u0022: \u0022mlp\u0022,\n    \u0022hidden\u0022: [\n      16\n    ]\n  },\n  \u0022epochs\u0022: 2,\n  \u0022batch_size\u0022: 32,\n  \u0022peak_lr\u0022: 2,\n  \u0022optimizer\u0022: \u0022sgd\u0022,\n  \u0022momentum\u0022: 0.9,\n  \u0022weight_decay\u0022: 0.0005,\n  \u0022warmup_fraction\u0022: 0,\n  \u0022explore_fractions\u0022: [\n    0,\n    0.5\n  ],\n  \u0022baselines\u0022: [\n    \u0022cosine\u0022,\n    \u0022constant\u0022\n  ],\n  \u0022step_milestones\u0022: [\n    0.5,\n    0.75\n  ],\n  \u0022seeds\u0022: 2,\n  \u0022first_seed\u0022: 1,\n  \u0022width\u0022: {\n    \u0022method\u0022: \u0022sign\u0022,\n    \u0022epsilon\u0022: 0.0001,\n    \u0022max_steps\u0022: 5,\n    \u0022learning_rate\u0022: 0.001,\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256,\n    \u0022patience\u0022: 2\n  },\n  \u0022workers\u0022: 1,\n  \u0022threads_per_run\u0022: 1,\n  \u0022device\u0022: \u0022cpu\u0022,\n  \u0022augment\u0022: false,\n  \u0022tensorboard\u0022: false,\n  \u0022metrics\u0022: [\n    \u0022keskar\u0022,\n    \u0022hessian_top\u0022,\n    \u0022adaptive\u0022\n  ],\n  \u0022hessian\u0022: {\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256,\n    \u0022max_iterations\u0022: 5,\n    \u0022tolerance\u0022: 0.001,\n    \u0022probes\u0022: 10\n  },\n  \u0022adaptive\u0022: {\n    \u0022rho\u0022: 0.001,\n    \u0022norm\u0022: \u0022l_infinity\u0022,\n    \u0022max_steps\u0022: 5,\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256\n  }\n}",
  "schedule_json": "{\u0022kind\u0022:\u0022cosine\u0022,\u0022floorLearningRate\u0022:0,\u0022peakLearningRate\u0022:2,\u0022totalSteps\u0022:20,\u0022warmupSteps\u0022:0}",
  "test_accuracy": 0.25,
  "test_loss": 5.86928876042727E+22,
  "train_loss": 9.05863807192538E+22,
  "width": {
    "sharpness": 0.04548778025044199,
    "initial_loss": 6.324554476224016E+22,
    "max_loss": 6.3274313756659805E+22,
    "final_loss": 6.3274313756659805E+22,
    "steps": 5,
    "converged": true,
    "seconds": 0.0137678
  },
  "train_seconds": 0.0168898,
  "width_seconds": 0.0137678,
  "hessian": {
    "top_eigenvalue": -0.3085696153919687,
    "trace": null,
    "trace_standard_error": null,
    "iterations": 5,
    "converged": false,
    "seconds": 0.0209162
  },
  "adaptive": {
    "sharpness": 2.8952290924476708E+20,
    "initial_loss": 6.324554476224016E+22,
    "max_loss": 6.353506767148493E+22,
    "steps": 5,
    "seconds": 0.0078992
  },
  "learning_rate_curve": [
    [
      1,
      1.9876883405951378
    ],
    [
      2,
      1.9510565162951536
    ],
    [
      3,
      1.8910065241883678
    ],
    [
      4,
      1.8090169943749475
    ],
    [
      5,
      1.7071067811865475
    ],
    [
      6,
      1.5877852522924731
    ],
    [
      7,
      1.4539904997395467
    ],
    [
      8,
      1.3090169943749475
    ],
    [
      9,
      1.156434465040231
    ],
    [
      10,
      1
    ],
    [
      11,
      0.8435655349597689
    ],
    [
      12,
      0.6909830056250527
    ],
    [
      13,
      0.5460095002604533
    ],
    [
      14,
      0.412214747707527
    ],
    [
      15,
      0.29289321881345254
    ],
    [
      16,
      0.19098300562505266
    ],
    [
      17,
      0.10899347581163221
    ],
    [
      18,
      0.04894348370484647
    ],
    [
      19,
      0.01231165940486234
    ],
    [
      20,
      0
    ]
  ],
  "epochs": [
    {
      "epoch": 1,
      "epochs": 2,
      "train_loss": 805137146435391.1,
      "learning_rate": 1,
      "validation_accuracy": 0.09,
      "validation_loss": 7.009873051016128E+17,
      "seconds": 0.007749
    },
    {
      "epoch": 2,
      "epochs": 2,
      "train_loss": 9.05863807192538E+22,
      "learning_rate": 0,
      "validation_accuracy": 0.25,
      "validation_loss": 5.86928876042727E+22,
      "seconds": 0.0029074
    }
  ],
  "threads": 1
}', 180000, NULL);
INSERT INTO public.runs VALUES (2, 'cosine-s2', 6, 'cosine', 'cosine', NULL, 2, '{"kind":"cosine","floorLearningRate":0,"peakLearningRate":2,"warmupFraction":0}', 'done', 1, 'vm/15612/63932058954', NULL, 1796462164357, 1796462164233, 1796462164357, NULL, 0.17, 1.4840657405355941e+24, 1.2975951817873855e+24, 0.03955804133974571, 1.3579681618556105e+24, 5, true, 0.0415207, 0.0128412, '{
  "run_id": "cosine-s2",
  "setting": "cosine",
  "schedule": "cosine",
  "explore_fraction": null,
  "seed": 2,
  "status": "done",
  "config_json": "{\n  \u0022name\u0022: \u0022pg-b\u0022,\n  \u0022dataset\u0022: {\n    \u0022kind\u0022: \u0022fashion-mnist-subset\u0022,\n    \u0022path\u0022: null,\n    \u0022train_images\u0022: null,\n    \u0022train_labels\u0022: null,\n    \u0022test_images\u0022: null,\n    \u0022test_labels\u0022: null,\n    \u0022train_file\u0022: null,\n    \u0022test_file\u0022: null,\n    \u0022label_column\u0022: \u0022label\u0022,\n    \u0022separator\u0022: \u0022,\u0022,\n    \u0022train_limit\u0022: 300,\n    \u0022test_limit\u0022: 100\n  },\n  \u0022model\u0022: {\n    \u0022kind\u0022: \u0022mlp\u0022,\n    \u0022hidden\u0022: [\n      16\n    ]\n  },\n  \u0022epochs\u0022: 2,\n  \u0022batch_size\u0022: 32,\n  \u0022peak_lr\u0022: 2,\n  \u0022optimizer\u0022: \u0022sgd\u0022,\n  \u0022momentum\u0022: 0.9,\n  \u0022weight_decay\u0022: 0.0005,\n  \u0022warmup_fraction\u0022: 0,\n  \u0022explore_fractions\u0022: [\n    0,\n    0.5\n  ],\n  \u0022baselines\u0022: [\n    \u0022cosine\u0022,\n    \u0022constant\u0022\n  ],\n  \u0022step_milestones\u0022: [\n    0.5,\n    0.75\n  ],\n  \u0022seeds\u0022: 2,\n  \u0022first_seed\u0022: 1,\n  \u0022width\u0022: {\n    \u0022method\u0022: \u0022sign\u0022,\n    \u0022epsilon\u0022: 0.0001,\n    \u0022max_steps\u0022: 5,\n    \u0022learning_rate\u0022: 0.001,\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256,\n    \u0022patience\u0022: 2\n  },\n  \u0022workers\u0022: 1,\n  \u0022threads_per_run\u0022: 1,\n  \u0022device\u0022: \u0022cpu\u0022,\n  \u0022augment\u0022: false,\n  \u0022tensorboard\u0022: false,\n  \u0022metrics\u0022: [\n    \u0022keskar\u0022,\n    \u0022hessian_top\u0022,\n    \u0022adaptive\u0022\n  ],\n  \u0022hessian\u0022: {\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256,\n    \u0022max_iterations\u0022: 5,\n    \u0022tolerance\u0022: 0.001,\n    \u0022probes\u0022: 10\n  },\n  \u0022adaptive\u0022: {\n    \u0022rho\u0022: 0.001,\n    \u0022norm\u0022: \u0022l_infinity\u0022,\n    \u0022max_steps\u0022: 5,\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256\n  }\n}",
  "schedule_json": "{\u0022kind\u0022:\u0022cosine\u0022,\u0022floorLearningRate\u0022:0,\u0022peakLearningRate\u0022:2,\u0022totalSteps\u0022:20,\u0022warmupSteps\u0022:0}",
  "test_accuracy": 0.17,
  "test_loss": 1.4840657405355941E+24,
  "train_loss": 1.2975951817873855E+24,
  "width": {
    "sharpness": 0.03955804133974571,
    "initial_loss": 1.3574311886648398E+24,
    "max_loss": 1.3579681618556105E+24,
    "final_loss": 1.3579681618556105E+24,
    "steps": 5,
    "converged": true,
    "seconds": 0.0128412
  },
  "train_seconds": 0.0415207,
  "width_seconds": 0.0128412,
  "hessian": {
    "top_eigenvalue": -1.8205175932362905,
    "trace": null,
    "trace_standard_error": null,
    "iterations": 5,
    "converged": false,
    "seconds": 0.0296249
  },
  "adaptive": {
    "sharpness": 5.376937667110183E+21,
    "initial_loss": 1.3574311886648398E+24,
    "max_loss": 1.36280812633195E+24,
    "steps": 5,
    "seconds": 0.0216661
  },
  "learning_rate_curve": [
    [
      1,
      1.9876883405951378
    ],
    [
      2,
      1.9510565162951536
    ],
    [
      3,
      1.8910065241883678
    ],
    [
      4,
      1.8090169943749475
    ],
    [
      5,
      1.7071067811865475
    ],
    [
      6,
      1.5877852522924731
    ],
    [
      7,
      1.4539904997395467
    ],
    [
      8,
      1.3090169943749475
    ],
    [
      9,
      1.156434465040231
    ],
    [
      10,
      1
    ],
    [
      11,
      0.8435655349597689
    ],
    [
      12,
      0.6909830056250527
    ],
    [
      13,
      0.5460095002604533
    ],
    [
      14,
      0.412214747707527
    ],
    [
      15,
      0.29289321881345254
    ],
    [
      16,
      0.19098300562505266
    ],
    [
      17,
      0.10899347581163221
    ],
    [
      18,
      0.04894348370484647
    ],
    [
      19,
      0.01231165940486234
    ],
    [
      20,
      0
    ]
  ],
  "epochs": [
    {
      "epoch": 1,
      "epochs": 2,
      "train_loss": 74109200159873000,
      "learning_rate": 1,
      "validation_accuracy": 0.07,
      "validation_loss": 7.574120076314495E+19,
      "seconds": 0.0152693
    },
    {
      "epoch": 2,
      "epochs": 2,
      "train_loss": 1.2975951817873855E+24,
      "learning_rate": 0,
      "validation_accuracy": 0.17,
      "validation_loss": 1.4840657405355941E+24,
      "seconds": 0.0172248
    }
  ],
  "threads": 1
}', 180000, NULL);
INSERT INTO public.runs VALUES (2, 'knee-e0-s2', 4, 'knee-e0', 'knee', 0, 2, '{"kind":"knee","exploreFraction":0,"floorLearningRate":0,"decayShape":"Linear","peakLearningRate":2,"warmupFraction":0}', 'done', 1, 'vm/15612/63932058954', NULL, 1796462163008, 1796462162938, 1796462163008, NULL, 0.11, 3.4691085034237805e+26, 5.249127309953692e+25, 0.02793883643748011, 3.0439634634140377e+26, 5, true, 0.0194225, 0.005473, '{
  "run_id": "knee-e0-s2",
  "setting": "knee-e0",
  "schedule": "knee",
  "explore_fraction": 0,
  "seed": 2,
  "status": "done",
  "config_json": "{\n  \u0022name\u0022: \u0022pg-b\u0022,\n  \u0022dataset\u0022: {\n    \u0022kind\u0022: \u0022fashion-mnist-subset\u0022,\n    \u0022path\u0022: null,\n    \u0022train_images\u0022: null,\n    \u0022train_labels\u0022: null,\n    \u0022test_images\u0022: null,\n    \u0022test_labels\u0022: null,\n    \u0022train_file\u0022: null,\n    \u0022test_file\u0022: null,\n    \u0022label_column\u0022: \u0022label\u0022,\n    \u0022separator\u0022: \u0022,\u0022,\n    \u0022train_limit\u0022: 300,\n    \u0022test_limit\u0022: 100\n  },\n  \u0022model\u0022: {\n    \u0022kind\u0022: \u0022mlp\u0022,\n    \u0022hidden\u0022: [\n      16\n    ]\n  },\n  \u0022epochs\u0022: 2,\n  \u0022batch_size\u0022: 32,\n  \u0022peak_lr\u0022: 2,\n  \u0022optimizer\u0022: \u0022sgd\u0022,\n  \u0022momentum\u0022: 0.9,\n  \u0022weight_decay\u0022: 0.0005,\n  \u0022warmup_fraction\u0022: 0,\n  \u0022explore_fractions\u0022: [\n    0,\n    0.5\n  ],\n  \u0022baselines\u0022: [\n    \u0022cosine\u0022,\n    \u0022constant\u0022\n  ],\n  \u0022step_milestones\u0022: [\n    0.5,\n    0.75\n  ],\n  \u0022seeds\u0022: 2,\n  \u0022first_seed\u0022: 1,\n  \u0022width\u0022: {\n    \u0022method\u0022: \u0022sign\u0022,\n    \u0022epsilon\u0022: 0.0001,\n    \u0022max_steps\u0022: 5,\n    \u0022learning_rate\u0022: 0.001,\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256,\n    \u0022patience\u0022: 2\n  },\n  \u0022workers\u0022: 1,\n  \u0022threads_per_run\u0022: 1,\n  \u0022device\u0022: \u0022cpu\u0022,\n  \u0022augment\u0022: false,\n  \u0022tensorboard\u0022: false,\n  \u0022metrics\u0022: [\n    \u0022keskar\u0022,\n    \u0022hessian_top\u0022,\n    \u0022adaptive\u0022\n  ],\n  \u0022hessian\u0022: {\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256,\n    \u0022max_iterations\u0022: 5,\n    \u0022tolerance\u0022: 0.001,\n    \u0022probes\u0022: 10\n  },\n  \u0022adaptive\u0022: {\n    \u0022rho\u0022: 0.001,\n    \u0022norm\u0022: \u0022l_infinity\u0022,\n    \u0022max_steps\u0022: 5,\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256\n  }\n}",
  "schedule_json": "{\u0022kind\u0022:\u0022knee\u0022,\u0022exploreSteps\u0022:0,\u0022floorLearningRate\u0022:0,\u0022decayShape\u0022:\u0022Linear\u0022,\u0022peakLearningRate\u0022:2,\u0022totalSteps\u0022:20,\u0022warmupSteps\u0022:0}",
  "test_accuracy": 0.11,
  "test_loss": 3.4691085034237805E+26,
  "train_loss": 5.249127309953692E+25,
  "width": {
    "sharpness": 0.02793883643748011,
    "initial_loss": 3.0431132529796805E+26,
    "max_loss": 3.0439634634140377E+26,
    "final_loss": 3.0439634634140377E+26,
    "steps": 5,
    "converged": true,
    "seconds": 0.005473
  },
  "train_seconds": 0.0194225,
  "width_seconds": 0.005473,
  "hessian": {
    "top_eigenvalue": 0.6163819467149318,
    "trace": null,
    "trace_standard_error": null,
    "iterations": 5,
    "converged": false,
    "seconds": 0.0213853
  },
  "adaptive": {
    "sharpness": 8.497308190113568E+23,
    "initial_loss": 3.0431132529796805E+26,
    "max_loss": 3.051610561169794E+26,
    "steps": 5,
    "seconds": 0.0066866
  },
  "learning_rate_curve": [
    [
      1,
      1.9
    ],
    [
      2,
      1.8
    ],
    [
      3,
      1.7
    ],
    [
      4,
      1.6
    ],
    [
      5,
      1.5
    ],
    [
      6,
      1.4
    ],
    [
      7,
      1.2999999999999998
    ],
    [
      8,
      1.2
    ],
    [
      9,
      1.1
    ],
    [
      10,
      1
    ],
    [
      11,
      0.8999999999999999
    ],
    [
      12,
      0.7999999999999998
    ],
    [
      13,
      0.7
    ],
    [
      14,
      0.5999999999999999
    ],
    [
      15,
      0.5
    ],
    [
      16,
      0.3999999999999999
    ],
    [
      17,
      0.2999999999999998
    ],
    [
      18,
      0.19999999999999996
    ],
    [
      19,
      0.09999999999999987
    ],
    [
      20,
      0
    ]
  ],
  "epochs": [
    {
      "epoch": 1,
      "epochs": 2,
      "train_loss": 9892046292812334,
      "learning_rate": 1,
      "validation_accuracy": 0.09,
      "validation_loss": 6.693603017293804E+18,
      "seconds": 0.00604
    },
    {
      "epoch": 2,
      "epochs": 2,
      "train_loss": 5.249127309953692E+25,
      "learning_rate": 0,
      "validation_accuracy": 0.11,
      "validation_loss": 3.4691085034237805E+26,
      "seconds": 0.0120493
    }
  ],
  "threads": 1
}', 180000, NULL);
INSERT INTO public.runs VALUES (2, 'knee-e0.5-s2', 5, 'knee-e0.5', 'knee', 0.5, 2, '{"kind":"knee","exploreFraction":0.5,"floorLearningRate":0,"decayShape":"Linear","peakLearningRate":2,"warmupFraction":0}', 'done', 1, 'vm/15612/63932058954', NULL, 1796462163647, 1796462163567, 1796462163647, NULL, 0.16, 3.777173618668807e+35, 3.5293170598722047e+34, 0.031662054462801605, 3.506841296977376e+35, 5, true, 0.012268, 0.0097663, '{
  "run_id": "knee-e0.5-s2",
  "setting": "knee-e0.5",
  "schedule": "knee",
  "explore_fraction": 0.5,
  "seed": 2,
  "status": "done",
  "config_json": "{\n  \u0022name\u0022: \u0022pg-b\u0022,\n  \u0022dataset\u0022: {\n    \u0022kind\u0022: \u0022fashion-mnist-subset\u0022,\n    \u0022path\u0022: null,\n    \u0022train_images\u0022: null,\n    \u0022train_labels\u0022: null,\n    \u0022test_images\u0022: null,\n    \u0022test_labels\u0022: null,\n    \u0022train_file\u0022: null,\n    \u0022test_file\u0022: null,\n    \u0022label_column\u0022: \u0022label\u0022,\n    \u0022separator\u0022: \u0022,\u0022,\n    \u0022train_limit\u0022: 300,\n    \u0022test_limit\u0022: 100\n  },\n  \u0022model\u0022: {\n    \u0022kind\u0022: \u0022mlp\u0022,\n    \u0022hidden\u0022: [\n      16\n    ]\n  },\n  \u0022epochs\u0022: 2,\n  \u0022batch_size\u0022: 32,\n  \u0022peak_lr\u0022: 2,\n  \u0022optimizer\u0022: \u0022sgd\u0022,\n  \u0022momentum\u0022: 0.9,\n  \u0022weight_decay\u0022: 0.0005,\n  \u0022warmup_fraction\u0022: 0,\n  \u0022explore_fractions\u0022: [\n    0,\n    0.5\n  ],\n  \u0022baselines\u0022: [\n    \u0022cosine\u0022,\n    \u0022constant\u0022\n  ],\n  \u0022step_milestones\u0022: [\n    0.5,\n    0.75\n  ],\n  \u0022seeds\u0022: 2,\n  \u0022first_seed\u0022: 1,\n  \u0022width\u0022: {\n    \u0022method\u0022: \u0022sign\u0022,\n    \u0022epsilon\u0022: 0.0001,\n    \u0022max_steps\u0022: 5,\n    \u0022learning_rate\u0022: 0.001,\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256,\n    \u0022patience\u0022: 2\n  },\n  \u0022workers\u0022: 1,\n  \u0022threads_per_run\u0022: 1,\n  \u0022device\u0022: \u0022cpu\u0022,\n  \u0022augment\u0022: false,\n  \u0022tensorboard\u0022: false,\n  \u0022metrics\u0022: [\n    \u0022keskar\u0022,\n    \u0022hessian_top\u0022,\n    \u0022adaptive\u0022\n  ],\n  \u0022hessian\u0022: {\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256,\n    \u0022max_iterations\u0022: 5,\n    \u0022tolerance\u0022: 0.001,\n    \u0022probes\u0022: 10\n  },\n  \u0022adaptive\u0022: {\n    \u0022rho\u0022: 0.001,\n    \u0022norm\u0022: \u0022l_infinity\u0022,\n    \u0022max_steps\u0022: 5,\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256\n  }\n}",
  "schedule_json": "{\u0022kind\u0022:\u0022knee\u0022,\u0022exploreSteps\u0022:10,\u0022floorLearningRate\u0022:0,\u0022decayShape\u0022:\u0022Linear\u0022,\u0022peakLearningRate\u0022:2,\u0022totalSteps\u0022:20,\u0022warmupSteps\u0022:0}",
  "test_accuracy": 0.16,
  "test_loss": 3.777173618668807E+35,
  "train_loss": 3.5293170598722047E+34,
  "width": {
    "sharpness": 0.031662054462801605,
    "initial_loss": 3.505731310420551E+35,
    "max_loss": 3.506841296977376E+35,
    "final_loss": 3.506841296977376E+35,
    "steps": 5,
    "converged": true,
    "seconds": 0.0097663
  },
  "train_seconds": 0.012268,
  "width_seconds": 0.0097663,
  "hessian": {
    "top_eigenvalue": 0.953897771042919,
    "trace": null,
    "trace_standard_error": null,
    "iterations": 5,
    "converged": false,
    "seconds": 0.0255819
  },
  "adaptive": {
    "sharpness": 1.1112938215063287E+33,
    "initial_loss": 3.505731310420551E+35,
    "max_loss": 3.5168442486356145E+35,
    "steps": 5,
    "seconds": 0.0129369
  },
  "learning_rate_curve": [
    [
      1,
      2
    ],
    [
      2,
      2
    ],
    [
      3,
      2
    ],
    [
      4,
      2
    ],
    [
      5,
      2
    ],
    [
      6,
      2
    ],
    [
      7,
      2
    ],
    [
      8,
      2
    ],
    [
      9,
      2
    ],
    [
      10,
      2
    ],
    [
      11,
      1.8
    ],
    [
      12,
      1.6
    ],
    [
      13,
      1.4
    ],
    [
      14,
      1.2
    ],
    [
      15,
      1
    ],
    [
      16,
      0.7999999999999998
    ],
    [
      17,
      0.5999999999999999
    ],
    [
      18,
      0.3999999999999999
    ],
    [
      19,
      0.19999999999999996
    ],
    [
      20,
      0
    ]
  ],
  "epochs": [
    {
      "epoch": 1,
      "epochs": 2,
      "train_loss": 3.701046581785979E+18,
      "learning_rate": 2,
      "validation_accuracy": 0.01,
      "validation_loss": 1.4768744330028615E+22,
      "seconds": 0.0026444
    },
    {
      "epoch": 2,
      "epochs": 2,
      "train_loss": 3.5293170598722047E+34,
      "learning_rate": 0,
      "validation_accuracy": 0.16,
      "validation_loss": 3.777173618668807E+35,
      "seconds": 0.0026098
    }
  ],
  "threads": 1
}', 180000, NULL);
INSERT INTO public.runs VALUES (2, 'constant-s2', 7, 'constant', 'constant', NULL, 2, '{"kind":"constant","peakLearningRate":2,"warmupFraction":0}', 'diverged', 1, 'vm/15612/63932058954', NULL, 1796462165109, 1796462165061, 1796462165109, 'the training loss became NaN or infinite', NULL, NULL, 'NaN', NULL, NULL, NULL, NULL, 0.0245702, 0, '{
  "run_id": "constant-s2",
  "setting": "constant",
  "schedule": "constant",
  "explore_fraction": null,
  "seed": 2,
  "status": "diverged",
  "config_json": "{\n  \u0022name\u0022: \u0022pg-b\u0022,\n  \u0022dataset\u0022: {\n    \u0022kind\u0022: \u0022fashion-mnist-subset\u0022,\n    \u0022path\u0022: null,\n    \u0022train_images\u0022: null,\n    \u0022train_labels\u0022: null,\n    \u0022test_images\u0022: null,\n    \u0022test_labels\u0022: null,\n    \u0022train_file\u0022: null,\n    \u0022test_file\u0022: null,\n    \u0022label_column\u0022: \u0022label\u0022,\n    \u0022separator\u0022: \u0022,\u0022,\n    \u0022train_limit\u0022: 300,\n    \u0022test_limit\u0022: 100\n  },\n  \u0022model\u0022: {\n    \u0022kind\u0022: \u0022mlp\u0022,\n    \u0022hidden\u0022: [\n      16\n    ]\n  },\n  \u0022epochs\u0022: 2,\n  \u0022batch_size\u0022: 32,\n  \u0022peak_lr\u0022: 2,\n  \u0022optimizer\u0022: \u0022sgd\u0022,\n  \u0022momentum\u0022: 0.9,\n  \u0022weight_decay\u0022: 0.0005,\n  \u0022warmup_fraction\u0022: 0,\n  \u0022explore_fractions\u0022: [\n    0,\n    0.5\n  ],\n  \u0022baselines\u0022: [\n    \u0022cosine\u0022,\n    \u0022constant\u0022\n  ],\n  \u0022step_milestones\u0022: [\n    0.5,\n    0.75\n  ],\n  \u0022seeds\u0022: 2,\n  \u0022first_seed\u0022: 1,\n  \u0022width\u0022: {\n    \u0022method\u0022: \u0022sign\u0022,\n    \u0022epsilon\u0022: 0.0001,\n    \u0022max_steps\u0022: 5,\n    \u0022learning_rate\u0022: 0.001,\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256,\n    \u0022patience\u0022: 2\n  },\n  \u0022workers\u0022: 1,\n  \u0022threads_per_run\u0022: 1,\n  \u0022device\u0022: \u0022cpu\u0022,\n  \u0022augment\u0022: false,\n  \u0022tensorboard\u0022: false,\n  \u0022metrics\u0022: [\n    \u0022keskar\u0022,\n    \u0022hessian_top\u0022,\n    \u0022adaptive\u0022\n  ],\n  \u0022hessian\u0022: {\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256,\n    \u0022max_iterations\u0022: 5,\n    \u0022tolerance\u0022: 0.001,\n    \u0022probes\u0022: 10\n  },\n  \u0022adaptive\u0022: {\n    \u0022rho\u0022: 0.001,\n    \u0022norm\u0022: \u0022l_infinity\u0022,\n    \u0022max_steps\u0022: 5,\n    \u0022sample_size\u0022: 256,\n    \u0022batch_size\u0022: 256\n  }\n}",
  "schedule_json": "{\u0022kind\u0022:\u0022constant\u0022,\u0022peakLearningRate\u0022:2,\u0022totalSteps\u0022:20,\u0022warmupSteps\u0022:0}",
  "test_accuracy": null,
  "test_loss": null,
  "train_loss": "NaN",
  "width": null,
  "train_seconds": 0.0245702,
  "width_seconds": 0,
  "hessian": null,
  "adaptive": null,
  "learning_rate_curve": [
    [
      1,
      2
    ],
    [
      2,
      2
    ],
    [
      3,
      2
    ],
    [
      4,
      2
    ],
    [
      5,
      2
    ],
    [
      6,
      2
    ],
    [
      7,
      2
    ],
    [
      8,
      2
    ],
    [
      9,
      2
    ],
    [
      10,
      2
    ],
    [
      11,
      2
    ],
    [
      12,
      2
    ],
    [
      13,
      2
    ],
    [
      14,
      2
    ],
    [
      15,
      2
    ],
    [
      16,
      2
    ],
    [
      17,
      2
    ],
    [
      18,
      2
    ],
    [
      19,
      2
    ],
    [
      20,
      2
    ]
  ],
  "epochs": [
    {
      "epoch": 1,
      "epochs": 2,
      "train_loss": 3.701046581785979E+18,
      "learning_rate": 2,
      "validation_accuracy": 0.01,
      "validation_loss": 1.4768744330028615E+22,
      "seconds": 0.004681
    },
    {
      "epoch": 2,
      "epochs": 2,
      "train_loss": "NaN",
      "learning_rate": 2,
      "validation_accuracy": null,
      "validation_loss": null,
      "seconds": 0.0113507
    }
  ],
  "threads": 1
}', 180000, NULL);


--
-- Data for Name: schema_version; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.schema_version VALUES (1);


--
-- Data for Name: sweeps; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.sweeps VALUES (1, 'pg-a', '{"name":"pg-a","dataset":{"kind":"fashion-mnist-subset","path":null,"train_images":null,"train_labels":null,"test_images":null,"test_labels":null,"train_file":null,"test_file":null,"label_column":"label","separator":",","train_limit":300,"test_limit":100},"model":{"kind":"mlp","hidden":[16]},"epochs":2,"batch_size":32,"peak_lr":0.1,"optimizer":"sgd","momentum":0.9,"weight_decay":0.0005,"warmup_fraction":0,"explore_fractions":[0,0.5],"baselines":["cosine","constant"],"step_milestones":[0.5,0.75],"seeds":2,"first_seed":1,"width":{"method":"sign","epsilon":0.0001,"max_steps":5,"learning_rate":0.001,"sample_size":256,"batch_size":256,"patience":2},"workers":0,"threads_per_run":1,"device":"cpu","augment":false,"tensorboard":false,"checkpoint_every_epochs":1,"metrics":["keskar","hessian_top","adaptive"],"hessian":{"sample_size":256,"batch_size":256,"max_iterations":5,"tolerance":0.001,"probes":10},"adaptive":{"rho":0.001,"norm":"l_infinity","max_steps":5,"sample_size":256,"batch_size":256}}', '{
  "name": "pg-a",
  "dataset": {
    "kind": "fashion-mnist-subset",
    "path": null,
    "train_images": null,
    "train_labels": null,
    "test_images": null,
    "test_labels": null,
    "train_file": null,
    "test_file": null,
    "label_column": "label",
    "separator": ",",
    "train_limit": 300,
    "test_limit": 100
  },
  "model": {
    "kind": "mlp",
    "hidden": [
      16
    ]
  },
  "epochs": 2,
  "batch_size": 32,
  "peak_lr": 0.1,
  "optimizer": "sgd",
  "momentum": 0.9,
  "weight_decay": 0.0005,
  "warmup_fraction": 0,
  "explore_fractions": [
    0,
    0.5
  ],
  "baselines": [
    "cosine",
    "constant"
  ],
  "step_milestones": [
    0.5,
    0.75
  ],
  "seeds": 2,
  "first_seed": 1,
  "width": {
    "method": "sign",
    "epsilon": 0.0001,
    "max_steps": 5,
    "learning_rate": 0.001,
    "sample_size": 256,
    "batch_size": 256,
    "patience": 2
  },
  "workers": 1,
  "threads_per_run": 1,
  "device": "cpu",
  "augment": false,
  "tensorboard": true,
  "checkpoint_every_epochs": 1,
  "metrics": [
    "keskar",
    "hessian_top",
    "adaptive"
  ],
  "hessian": {
    "sample_size": 256,
    "batch_size": 256,
    "max_iterations": 5,
    "tolerance": 0.001,
    "probes": 10
  },
  "adaptive": {
    "rho": 0.001,
    "norm": "l_infinity",
    "max_steps": 5,
    "sample_size": 256,
    "batch_size": 256
  }
}', 1796462135879, '0.1.0.0');
INSERT INTO public.sweeps VALUES (2, 'pg-b', '{"name":"pg-b","dataset":{"kind":"fashion-mnist-subset","path":null,"train_images":null,"train_labels":null,"test_images":null,"test_labels":null,"train_file":null,"test_file":null,"label_column":"label","separator":",","train_limit":300,"test_limit":100},"model":{"kind":"mlp","hidden":[16]},"epochs":2,"batch_size":32,"peak_lr":2,"optimizer":"sgd","momentum":0.9,"weight_decay":0.0005,"warmup_fraction":0,"explore_fractions":[0,0.5],"baselines":["cosine","constant"],"step_milestones":[0.5,0.75],"seeds":2,"first_seed":1,"width":{"method":"sign","epsilon":0.0001,"max_steps":5,"learning_rate":0.001,"sample_size":256,"batch_size":256,"patience":2},"workers":0,"threads_per_run":1,"device":"cpu","augment":false,"tensorboard":false,"metrics":["keskar","hessian_top","adaptive"],"hessian":{"sample_size":256,"batch_size":256,"max_iterations":5,"tolerance":0.001,"probes":10},"adaptive":{"rho":0.001,"norm":"l_infinity","max_steps":5,"sample_size":256,"batch_size":256}}', '{
  "name": "pg-b",
  "dataset": {
    "kind": "fashion-mnist-subset",
    "path": null,
    "train_images": null,
    "train_labels": null,
    "test_images": null,
    "test_labels": null,
    "train_file": null,
    "test_file": null,
    "label_column": "label",
    "separator": ",",
    "train_limit": 300,
    "test_limit": 100
  },
  "model": {
    "kind": "mlp",
    "hidden": [
      16
    ]
  },
  "epochs": 2,
  "batch_size": 32,
  "peak_lr": 2,
  "optimizer": "sgd",
  "momentum": 0.9,
  "weight_decay": 0.0005,
  "warmup_fraction": 0,
  "explore_fractions": [
    0,
    0.5
  ],
  "baselines": [
    "cosine",
    "constant"
  ],
  "step_milestones": [
    0.5,
    0.75
  ],
  "seeds": 2,
  "first_seed": 1,
  "width": {
    "method": "sign",
    "epsilon": 0.0001,
    "max_steps": 5,
    "learning_rate": 0.001,
    "sample_size": 256,
    "batch_size": 256,
    "patience": 2
  },
  "workers": 1,
  "threads_per_run": 1,
  "device": "cpu",
  "augment": false,
  "tensorboard": false,
  "metrics": [
    "keskar",
    "hessian_top",
    "adaptive"
  ],
  "hessian": {
    "sample_size": 256,
    "batch_size": 256,
    "max_iterations": 5,
    "tolerance": 0.001,
    "probes": 10
  },
  "adaptive": {
    "rho": 0.001,
    "norm": "l_infinity",
    "max_steps": 5,
    "sample_size": 256,
    "batch_size": 256
  }
}', 1796462155804, '0.1.0.0');


--
-- Name: sweeps_sweep_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.sweeps_sweep_id_seq', 2, true);


--
-- Name: checkpoints checkpoints_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.checkpoints
    ADD CONSTRAINT checkpoints_pkey PRIMARY KEY (sweep_id, run_id, path);


--
-- Name: runs runs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.runs
    ADD CONSTRAINT runs_pkey PRIMARY KEY (sweep_id, run_id);


--
-- Name: sweeps sweeps_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sweeps
    ADD CONSTRAINT sweeps_name_key UNIQUE (name);


--
-- Name: sweeps sweeps_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sweeps
    ADD CONSTRAINT sweeps_pkey PRIMARY KEY (sweep_id);


--
-- Name: runs_queue; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX runs_queue ON public.runs USING btree (sweep_id, status, ordinal);


--
-- Name: checkpoints checkpoints_sweep_id_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.checkpoints
    ADD CONSTRAINT checkpoints_sweep_id_run_id_fkey FOREIGN KEY (sweep_id, run_id) REFERENCES public.runs(sweep_id, run_id);


--
-- Name: runs runs_sweep_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.runs
    ADD CONSTRAINT runs_sweep_id_fkey FOREIGN KEY (sweep_id) REFERENCES public.sweeps(sweep_id);


--
-- PostgreSQL database dump complete
--


